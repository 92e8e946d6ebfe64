# tests/integration/local.mk: included from Makefile.am
