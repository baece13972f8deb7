#!/bin/sh
# Stop the private Postfix + OpenDKIM started by start.sh.   stop.sh BASE_DIR
# Waits until both have exited (OpenDKIM/libmilter needs ~4 s after SIGTERM).
set -u
if [ $# -ne 1 ]; then echo "usage: $0 BASE_DIR" >&2; exit 2; fi
BASE=$(cd "$1" 2>/dev/null && pwd -P) || { echo "$0: no such dir $1" >&2; exit 0; }
CONF=$BASE/postfix-conf
PIDF=$BASE/opendkim/opendkim.pid
rc=0

# wait_gone PID SECONDS: wait for PID to exit; SIGKILL it after SECONDS
wait_gone() {
    n=$(($2 * 10))
    while kill -0 "$1" 2>/dev/null; do
        n=$((n - 1))
        if [ $n -le 0 ]; then
            echo "$0: pid $1 did not exit, sending SIGKILL" >&2
            kill -KILL "$1" 2>/dev/null; rc=1; return
        fi
        sleep 0.1
    done
}

mpid=$(head -1 "$BASE/postfix-queue/pid/master.pid" 2>/dev/null | tr -dc 0-9)
dpid=$(cat "$PIDF" 2>/dev/null | tr -dc 0-9)

# Postfix first (it stops accepting mail), then OpenDKIM; wait for both together.
if [ -f "$CONF/main.cf" ] && [ -n "$mpid" ] && kill -0 "$mpid" 2>/dev/null; then
    /usr/sbin/postfix -c "$CONF" stop >>"$BASE/log/postfix-start.log" 2>&1 || true
fi
if [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null; then
    kill -TERM "$dpid"
fi
[ -n "$mpid" ] && wait_gone "$mpid" 10
[ -n "$dpid" ] && wait_gone "$dpid" 10
rm -f "$PIDF"
exit $rc
