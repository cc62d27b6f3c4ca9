/*
 * helper_chain.c — the node tests build their chains with the storage tests' builder
 * (tests/unit/storage/helper_chain.h): one implementation of "a real certified chain".
 */
#include "../storage/helper_chain.c"
