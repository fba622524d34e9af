#!/usr/bin/env node
/** The `dimse` command line. */
process.stderr.write('dimse: no commands yet\n')
process.exit(2)
