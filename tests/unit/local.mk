# tests/unit/local.mk: included from Makefile.am
