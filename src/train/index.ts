// Public surface of src/train (filled in by its issue).
export {};
