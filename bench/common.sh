# What the scripts in bench/ share. Sourced from the workspace root, never run on its own:
# builds the release nn-train into $nn_train and makes a scratch folder $work, removed on exit.

cargo build --release --quiet -p nn-train
nn_train="$(pwd)/target/release/nn-train"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The median of the numbers on standard input, separated by spaces or newlines.
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ s[NR] = $1 } END { print s[int((NR + 1) / 2)] }'; }

# Every epoch's training seconds of a finished run, space-separated (the `seconds` column of
# metrics.csv): `epoch_seconds RUN_DIR LEARNING_RATE`.
epoch_seconds() { cut -d, -f8 "$1/lr-$2/metrics.csv" | tail -n +2 | tr '\n' ' '; }
