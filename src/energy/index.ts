// Public surface of src/energy (filled in by its issue).
export {};
