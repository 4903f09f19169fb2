package protocol

// MaxTokenLen bounds every token, view or publish: tokens are compared by
// hash, so a long one would make every request that gives one cost its
// hashing.
const MaxTokenLen = 256
