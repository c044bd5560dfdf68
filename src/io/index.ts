// Public surface of src/io.
export { writeFileAtomic, readFileBytes, readFileText, ensureDir } from "./files.js";
