# tests/bench/local.mk: included from Makefile.am
