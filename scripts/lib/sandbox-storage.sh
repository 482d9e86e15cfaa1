# The upstream storage etl-core reads from, for scripts/sandbox (sourced, not run): a TCP
# listener on 127.0.0.1:SANDBOX_STORAGE_PORT that accepts and closes every connection. etl-core
# names its address in connection errors (ETL_STORAGE_ADDRESS), as it names the production
# storage, and scenario 2's network check connects to it. `fault storage-down` stops it.

STORAGE_PORT=${SANDBOX_STORAGE_PORT:-18095}
STORAGE_ADDRESS="127.0.0.1:$STORAGE_PORT"
STORAGE_PID_FILE=$SANDBOX_DIR/storage.pid

STORAGE_PORT_FILE=$SANDBOX_DIR/storage.port

storage_running() { pid_running "$STORAGE_PID_FILE"; }

storage_start() {
    # One started on another port (SANDBOX_STORAGE_PORT changed) is not the one etl-core names.
    if storage_running && [[ "$(cat "$STORAGE_PORT_FILE" 2>/dev/null)" != "$STORAGE_PORT" ]]; then
        storage_stop quiet
    fi
    storage_running && return 0
    if ss -ltnH "sport = :$STORAGE_PORT" 2>/dev/null | grep -q .; then
        die "port $STORAGE_PORT is taken by another program (set SANDBOX_STORAGE_PORT)"
    fi
    mkdir -p "$LOG_DIR"
    setsid python3 -c '
import socket, sys
server = socket.create_server(("127.0.0.1", int(sys.argv[1])), reuse_port=False)
while True:
    connection, _ = server.accept()
    connection.close()
' "$STORAGE_PORT" </dev/null >>"$LOG_DIR/storage.out" 2>&1 &
    echo $! > "$STORAGE_PID_FILE"
    echo "$STORAGE_PORT" > "$STORAGE_PORT_FILE"
    local i
    for i in $(seq 1 50); do
        ss -ltnH "sport = :$STORAGE_PORT" 2>/dev/null | grep -q . && { say "storage stand-in listening on $STORAGE_ADDRESS"; return 0; }
        storage_running || break
        sleep 0.1
    done
    tail -5 "$LOG_DIR/storage.out" >&2
    die "the storage stand-in did not listen on $STORAGE_ADDRESS"
}

storage_stop() { stop_pidfile "storage stand-in" "$STORAGE_PID_FILE" "${1:-}"; }
