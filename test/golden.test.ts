/**
 * Bit-identical training across refactors: one small seeded run of each family (MLP with
 * Adam, LeNet, RBM CD-1 and PCD, DBN pretraining + fine-tuning, DBN up-down, DBN pretraining
 * on sampled states with labels, DBM, Hopfield
 * recall, Boltzmann learning, perceptron), its learned parameters hashed with SHA-256. The
 * hashes were recorded on the tree before the "one house" restructuring (issue 18), on both
 * backends; the WebAssembly backend gives the same bits on any thread count.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setBackend } from "layerwise";
import { goldenRuns } from "./helpers/golden-runs.js";

const RECORDED: Record<"wasm" | "js", Record<string, string>> = {
  wasm: {
    mlpAdam: "c32345d9b956578dd262c00b9e76f51e277d0fa0dd402c07e2862495d797a022",
    lenet: "6f0332c36f95eb016a5b5ba53bd1d403ce977b28677845de998b8a78a1a660a7",
    rbmCd1: "bd2f4cfd4e89fa49ab41f215469ebb07939c06df14a14988dbfcc7cb10d8d2d8",
    rbmPcd: "d3290386dec4cd677e2460759677482bf3fd236b05512b949daa3cbefff5f2d9",
    dbnFinetune: "f9eb9b9bbdd4fc8d59ac60e72c7662325868182d118fea01af315fee60da5401",
    dbnUpDown: "f8a0e392bcb8b190137f83635c1b2ac109a06a52b824a8a7b07dce8c9f023c20",
    dbnSampled: "196e5acd2fca0e9608c557dee9c3b09e8aeecee835d593d1928b1b69ffd1f8b5",
    dbm: "a65e6f3abd8f767bd76c42d436c8d63b3d68c09067b14b566bca00dba23f88f4",
    hopfield: "1b5e354718d815934731e666542a8247edbba2095d03f5bf7b8f70f2794c186e",
    boltzmann: "7cca49aeb780d3bb4dcd11029badabe02efa8bf19a97366842f0ba3881408619",
    perceptron: "ac66ecf5e8cf6b0ca4e4e9e54143a787abd02877c8b420998d4de51b4516161a",
  },
  js: {
    mlpAdam: "fcf2635184943c443a0af816ef2b0a73fc96a27db7e0571464454ce2254f7f17",
    lenet: "5ce170f37f3da81be5703fd05e2d88a1d7f2c7a2d1ccd295401d46be1513fb08",
    rbmCd1: "f06c01c47b5e84031b9db4b792d163b7a8be02bdba44191e0905299560803795",
    rbmPcd: "30045a925cfcc9c6ff08cb976765ee85cceaaf53c70b387e0032ad53f5e36cea",
    dbnFinetune: "17316fb1507d156d1161ecc7da8ae562901645cbbfc355a67ada0164a8cf8c87",
    dbnUpDown: "41416b1d65ba88f5c2ca5c90193cb640904bf5c4f3f4a61a0aef7abfe4068873",
    dbnSampled: "718bfe6e06108997bea08f2957aea418a4f109dcef4d58a2101d29496f27e6b3",
    dbm: "fae4ffc28b9c44ecfb7e33094e6de706b5b6ceaecc3eb2ba81194cd5b9670e9b",
    hopfield: "1b5e354718d815934731e666542a8247edbba2095d03f5bf7b8f70f2794c186e",
    boltzmann: "7cca49aeb780d3bb4dcd11029badabe02efa8bf19a97366842f0ba3881408619",
    perceptron: "ac66ecf5e8cf6b0ca4e4e9e54143a787abd02877c8b420998d4de51b4516161a",
  },
};

for (const name of ["wasm", "js"] as const) {
  test(`seeded runs give the recorded weights bit for bit (${name} backend)`, async () => {
    setBackend(name);
    const got: Record<string, string> = {};
    for (const [run, hash] of Object.entries(goldenRuns)) got[run] = await hash();
    assert.deepEqual(got, RECORDED[name]);
  });
}
