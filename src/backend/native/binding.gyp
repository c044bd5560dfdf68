# node-gyp build of the native backend (npm run build:native; build.sh runs it and installs the
# stripped result as prebuilds/linux-x64/layerwise.node): addon.c and pool.c here, and the kernels
# besides GEMM from src/backend/c/kernels.c, the source the WebAssembly backend builds too.
# OpenBLAS comes from Debian's libopenblas-pthread-dev as a static archive (DYNAMIC_ARCH: every
# x86-64 core's kernels, picked at load time), so the binary needs nothing but libc. OPENBLAS_DIR
# overrides where it is.
{
  "variables": {
    "openblas_dir%": "<!(echo ${OPENBLAS_DIR:-/usr/lib/x86_64-linux-gnu/openblas-pthread})",
    "openblas_include%": "<!(echo ${OPENBLAS_INCLUDE:-/usr/include/x86_64-linux-gnu/openblas-pthread})",
  },
  "targets": [
    {
      "target_name": "layerwise",
      "sources": ["addon.c", "pool.c", "../c/kernels.c"],
      "include_dirs": ["<(openblas_include)", "../c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": [
        "-O3", "-std=gnu11", "-fvisibility=hidden", "-ffunction-sections", "-fdata-sections",
        # every kernel clone rounds alike: no fused multiply-add; no errno stores (sqrtf) and no FP-exception
        # semantics (a ternary with arithmetic in one arm) in the way of vectorising
        "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math",
      ],
      # Only Node-API's entry points are exported (exports.map): OpenBLAS's symbols stay inside, so
      # no clash with another BLAS in the process; -s strips.
      # With lld, identical code folding merges the many cores' duplicate kernels: 25 MB -> 12 MB.
      "ldflags": [
        "-Wl,--gc-sections", "-Wl,--exclude-libs,ALL", "-Wl,-O1", "-s",
        "-Wl,--version-script=<(module_root_dir)/exports.map",
        "<!@(command -v ld.lld >/dev/null 2>&1 && echo -fuse-ld=lld -Wl,--icf=all || true)",
      ],
      "libraries": ["<(openblas_dir)/libopenblas.a", "-lpthread", "-lm"],
    },
  ],
}
