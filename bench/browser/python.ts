/** In place of bench/peers/python.ts in the page: no Python there, so the peer is skipped. */
export async function runPythonPeer(): Promise<string> {
  return "Python peers do not run in the browser (npm run bench runs them)";
}
