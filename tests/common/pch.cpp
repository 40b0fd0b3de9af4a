// Nothing of its own: the target that holds the core tests' precompiled header.
