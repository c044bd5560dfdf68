#!/usr/bin/env bash
# Builds the native backend's addon (addon.c, ../c/kernels.c + OpenBLAS, binding.gyp) with node-gyp,
# offline: npm's bundled node-gyp and the headers of the installed Node (NODEDIR, default the
# folder above node's bin/, which must hold include/node/node_api.h). Then installs the stripped
# binary where the loader looks first, prebuilds/<platform>-<arch>/layerwise.node, to commit.
# Needs a C compiler and Debian's libopenblas-pthread-dev (OPENBLAS_DIR / OPENBLAS_INCLUDE
# point elsewhere). Users never run this on linux-x64: the binary is committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
NODE_GYP=${NODE_GYP:-$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js}
NODEDIR=${NODEDIR:-$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")}
if [ ! -f "$NODEDIR/include/node/node_api.h" ]; then
  echo "build:native: no Node headers under $NODEDIR/include/node (set NODEDIR to Node's install folder)" >&2
  exit 1
fi
node "$NODE_GYP" rebuild --directory "$here" --nodedir="$NODEDIR"
target=$(node -p 'process.platform + "-" + process.arch')
mkdir -p "$root/prebuilds/$target"
# strip to a new file, then rename: a process that has the old binary mapped keeps its copy
strip --strip-all -o "$root/prebuilds/$target/layerwise.node.tmp" "$here/build/Release/layerwise.node"
mv "$root/prebuilds/$target/layerwise.node.tmp" "$root/prebuilds/$target/layerwise.node"
ls -l "$root/prebuilds/$target/layerwise.node"
