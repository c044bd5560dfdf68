// Public surface of src/nn (filled in by its issue).
export {};
