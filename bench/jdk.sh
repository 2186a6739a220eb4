# Shared by bench/run.sh and bench/http.sh: picks a JDK 21 or newer into JAVA_HOME.
# Source it; it exits with a message when there is none.

java_major() { # prints the feature version of the JDK at $1, or 0
    local v
    v="$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)"
    echo "${v:-0}"
}

pick_jdk() {
    local candidates=()
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
    candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
    local d
    for d in /usr/lib/jvm/*25* /usr/lib/jvm/*21*; do
        [[ -d "$d" ]] && candidates+=("$d")
    done
    for d in "${candidates[@]}"; do
        if [[ -x "$d/bin/java" ]] && (( $(java_major "$d") >= 21 )); then
            echo "$d"
            return 0
        fi
    done
    return 1
}

if ! JAVA_HOME="$(pick_jdk)"; then
    echo "$(basename "$0"): no JDK 21 or newer found (set JAVA_HOME to one)" >&2
    exit 1
fi
export JAVA_HOME
