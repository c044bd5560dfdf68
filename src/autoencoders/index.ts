// Public surface of src/autoencoders (filled in by its issue).
export {};
