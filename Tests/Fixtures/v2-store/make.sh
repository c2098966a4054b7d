#!/usr/bin/env bash
# Writes this fixture with the trefoil binary of the release before schema v3 (commit c29fe68):
#   make.sh /path/to/that/trefoil
# It drives the real server over its HTTP API, so the rows, counters and blobs are exactly what that
# release writes, then records what that release answered (expected.json) for the tests to compare.
set -euo pipefail
trefoil=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/roots"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

config() { # group_file_days
    cat > "$work/config.json" <<JSON
{ "server": { "port": $port, "public_url": "$base" }, "heartbeat": { "enable": false },
  "storage": { "data_dir": "$work/data" }, "upload": { "local_roots": ["$work/roots"] },
  "retention": { "group_file_days": $1, "private_file_days": 36500 },
  "download": { "count_flush_interval_ms": 10 } }
JSON
}
start() {
    "$trefoil" serve --config "$work/config.json" > "$work/log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -sf "$base/health" > /dev/null && return; sleep 0.1; done
    cat "$work/log"; exit 1
}
stop() { kill -TERM "$pid"; wait "$pid" || true; }
call() { # action json -> data
    local answer
    answer=$(curl -sf -H 'Content-Type: application/json' -d "$2" "$base/$1")
    [ "$(jq -r .status <<< "$answer")" = ok ] || { echo "$1 $2 -> $answer" >&2; exit 1; }
    jq -c .data <<< "$answer"
}
b64() { printf '%s' "$1" | base64 -w0; }
upload() { # group name text [folder] -> file_id
    call upload_group_file "{\"group_id\": $1, \"name\": \"$2\", \"file\": \"base64://$(b64 "$3")\", \"folder\": \"${4:-/}\"}" |
        jq -r .file_id
}

config 0
start
hello=$(upload 123 hello.txt 'hello')
upload 123 'hello again.txt' 'hello' > /dev/null  # the same bytes: one blob, two references
docs=$(call create_group_file_folder '{"group_id": 123, "name": "docs"}' | jq -r .folder_id)
report=$(upload 123 report.pdf '%PDF-1.4 not really' "$docs")
upload 123 'notes 中文.txt' 'notes' "$docs" > /dev/null
deep=$(call create_group_file_folder "{\"group_id\": 123, \"name\": \"deep\", \"parent_id\": \"$docs\"}" | jq -r .folder_id)
upload 123 deep.bin 'deep bytes' "$deep" > /dev/null
call rename_group_file "{\"group_id\": 123, \"file_id\": \"$report\", \"new_name\": \"renamed.pdf\"}" > /dev/null
moved=$(upload 123 moved.txt 'moved' /)
call move_group_file "{\"group_id\": 123, \"file_id\": \"$moved\", \"target_directory\": \"$docs\"}" > /dev/null
empty=$(call create_group_file_folder '{"group_id": 123, "name": "empty"}' | jq -r .folder_id)
call rename_group_folder "{\"group_id\": 123, \"folder_id\": \"$empty\", \"name\": \"vacant\"}" > /dev/null
gone=$(upload 123 gone.txt 'deleted before the upgrade')
call delete_group_file "{\"group_id\": 123, \"file_id\": \"$gone\"}" > /dev/null
for group in 9 10 4294967296; do upload "$group" "in $group.txt" "group $group" > /dev/null; done
private=$(call upload_private_file "{\"user_id\": 42, \"name\": \"private.txt\", \"file\": \"base64://$(b64 'for 42 only')\"}" |
    jq -r .file_id)
url=$(call get_group_file_url "{\"group_id\": 123, \"file_id\": \"$hello\"}" | jq -r .url)
curl -sf "$url" > /dev/null
curl -sf "$url" > /dev/null
stop

config 36500  # group files uploaded now are temporary
start
upload 123 temporary.txt 'temporary' > /dev/null
kept=$(upload 123 kept.txt 'made permanent')
call trans_group_file "{\"group_id\": 123, \"file_id\": \"$kept\"}" > /dev/null
stop
printf 'imported by 777' > "$work/roots/imported.txt"
"$trefoil" import --config "$work/config.json" --group 123 --folder "$docs" --uploader 777 "$work/roots/imported.txt" > /dev/null

# A link as this release signs it, valid until 2100: HMAC-SHA256 over "<file_id>|<expires>" with the
# generated key, base64url without padding. The server below must accept it, or the script stops.
expires=4102444800
sig=$(printf '%s|%s' "$hello" "$expires" |
    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(tr -d '\n' < "$work/data/signing.key")" -binary |
    base64 -w0 | tr '+/' '-_' | tr -d '=')
link="/files$hello/hello.txt?expires=$expires&sig=$sig"

config 36500
start
[ "$(curl -sf "$base$link")" = hello ] || { echo "the old release refused $link" >&2; exit 1; }
sleep 0.2  # the download count is flushed every 10 ms
listing() { call "$1" "$2"; }
jq -n \
    --arg hello "$hello" --arg private "$private" --arg docs "$docs" --arg deep "$deep" --arg link "$link" \
    --argjson root123 "$(listing get_group_root_files '{"group_id": 123}')" \
    --argjson docs123 "$(listing get_group_files_by_folder "{\"group_id\": 123, \"folder_id\": \"$docs\"}")" \
    --argjson deep123 "$(listing get_group_files_by_folder "{\"group_id\": 123, \"folder_id\": \"$deep\"}")" \
    --argjson info123 "$(listing get_group_file_system_info '{"group_id": 123}')" \
    --argjson root9 "$(listing get_group_root_files '{"group_id": 9}')" \
    --argjson root10 "$(listing get_group_root_files '{"group_id": 10}')" \
    --argjson root4294967296 "$(listing get_group_root_files '{"group_id": 4294967296}')" \
    --argjson info4294967296 "$(listing get_group_file_system_info '{"group_id": 4294967296}')" \
    '{hello_file_id: $hello, private_file_id: $private, docs_folder_id: $docs, deep_folder_id: $deep,
      signed_link: $link,
      answers: {
        "get_group_root_files 123": $root123, "get_group_files_by_folder 123 docs": $docs123,
        "get_group_files_by_folder 123 deep": $deep123, "get_group_file_system_info 123": $info123,
        "get_group_root_files 9": $root9, "get_group_root_files 10": $root10,
        "get_group_root_files 4294967296": $root4294967296,
        "get_group_file_system_info 4294967296": $info4294967296}}' > "$work/expected.json"
stop

# Everything in the main database file, no WAL beside it; no lock, no empty folders.
sqlite3 "$work/data/trefoil.sqlite" 'PRAGMA wal_checkpoint(TRUNCATE);' > /dev/null
rm -f "$work/data/trefoil.sqlite-wal" "$work/data/trefoil.sqlite-shm" "$work/data/trefoil.lock"
rm -rf "$here/data"
mkdir -p "$here/data"
cp "$work/data/trefoil.sqlite" "$work/data/signing.key" "$here/data/"
cp -R "$work/data/blobs" "$here/data/"
jq . "$work/expected.json" > "$here/expected.json"
