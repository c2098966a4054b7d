#!/bin/sh
# Builds json-measure three ways and runs each: `old` (the parser and writer of c29fe68 compiled in one module with
# their caller, as they sat inside OneBotV11), `joined` (TrefoilJSON's sources in the caller's module) and `split`
# (TrefoilJSON as its own module, as the server builds it). OPT is -Onone (debug, the default) or -O (whole-module,
# as a release build). With CALLGRIND=1 each build also runs under callgrind: instructions per frame parsed (30,000
# frames) and per page written (300 pages).
#   tools/json-measure/run.sh            # debug
#   OPT=-O tools/json-measure/run.sh     # release
set -e
cd "$(dirname "$0")/../.."
OPT=${OPT:--Onone}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags="$OPT"
[ "$OPT" = "-Onone" ] || flags="$OPT -wmo"
mkdir -p "$out/old"
for file in JSONValue JSONParser JSONWriter; do
    git show "c29fe68:Sources/OneBotV11/Envelope/$file.swift" > "$out/old/$file.swift"
done
swiftc $flags -D OLD -o "$out/old.bin" "$out"/old/*.swift tools/json-measure/main.swift
swiftc $flags -o "$out/joined.bin" Sources/TrefoilJSON/*.swift tools/json-measure/main.swift
swiftc $flags -parse-as-library -emit-library -static -emit-module -module-name TrefoilJSON \
    -emit-module-path "$out/TrefoilJSON.swiftmodule" -o "$out/libTrefoilJSON.a" Sources/TrefoilJSON/*.swift
swiftc $flags -D SPLIT -I "$out" -L "$out" -lTrefoilJSON -o "$out/split.bin" tools/json-measure/main.swift
# Callgrind counts what the program does before the loop too; a run of zero rounds measures that, to subtract.
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
for variant in old joined split; do
    echo "$variant ($OPT): $("$out/$variant.bin")"
    if [ "${CALLGRIND:-0}" = 1 ]; then
        for part in parse write; do
            rounds=30000
            [ $part = write ] && rounds=300
            base=$(count "$out/$variant.bin" $part 0)
            total=$(count "$out/$variant.bin" $part $rounds)
            echo "  $part: $(( (total - base) / rounds )) instructions each"
        done
    fi
done
