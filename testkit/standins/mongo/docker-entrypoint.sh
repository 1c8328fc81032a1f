#!/bin/sh
# Entrypoint of the mongo stand-in: like the official image's, options given
# without a command are options for mongod (`docker run mongo:7.0 --port 27018`).
set -e
case ${1:-} in
-*) set -- mongod "$@" ;;
esac
exec "$@"
