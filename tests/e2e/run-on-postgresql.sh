#!/bin/bash
# SPDX-License-Identifier: ISC
# run-on-postgresql.sh STUB — make check's driver for tests/e2e/postgresql/NAME.pg:
# runs the end-to-end suite tests/e2e/NAME.sh on PostgreSQL (E2E_BACKEND,
# see lib.sh). The stubs exist so that each run has its own log.
name=$(basename "$1" .pg)
export E2E_BACKEND=postgresql
exec bash "${PT_SRCDIR:?}/tests/e2e/$name.sh"
