# Helpers of the damon tracker tests (sourced by each test).

# shellcheck source=../../../lib/damon.bash
source "$E2E_DIR/lib/damon.bash"

# td-memtierd-start: memtierd -prompt, answering once its first prompt is there.
td-memtierd-start() {
  memtierd-start
  vm-run-until --timeout 180 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" ||
    fail "memtierd gave no prompt"
}

# td-python-start NAME: a python3 process with a 256 MB bytearray, every page
# written once, then the 32 MB at offset 64 MB written over and over. Sets
# TD_PID[NAME] and TD_ARRAY[NAME] (hex START-END of the array).
declare -gA TD_PID=() TD_ARRAY=()
td-python-start() {
  local name=$1 out=$E2E_GUEST_DIR/$1.out
  vm-command --quiet "mkdir -p $E2E_GUEST_DIR && cd $E2E_GUEST_DIR && cat > $name.py <<'PY'
import ctypes
b = bytearray(256 << 20)
for i in range(0, len(b), 4096):
    b[i] = 1
a = ctypes.addressof((ctypes.c_char * len(b)).from_buffer(b))
print('ready: %x-%x' % (a, a + len(b)), flush=True)
z = bytes(32 << 20)
o = 64 << 20
while True:
    b[o:o + len(z)] = z
PY
    python3 $name.py > $out 2>&1 & echo \$!" || fail "cannot start python3"
  TD_PID[$name]=$COMMAND_OUTPUT
  vm-run-until --timeout 120 "grep -q '^ready:' $out" || fail "python3 $name did not get ready"
  vm-command --quiet "sed -n 's/^ready: //p' $out"
  TD_ARRAY[$name]=$COMMAND_OUTPUT
  echo "python3 $name: pid ${TD_PID[$name]} array ${TD_ARRAY[$name]}"
}

# td-score PID ARRAY HOT_OFFSET HOT_BYTES < counters: prints
# "precision P recall R cold C permille P' R' C'" of "hot" by bytes: the union of the PID's
# counter ranges with a>0, clipped to ARRAY (hex START-END), against the hot
# part [START+HOT_OFFSET, +HOT_BYTES). C is the share of the cold bytes
# reported accessed; weighted-precision weighs each counter by its accesses
# (the share of accesses counted in the hot part).
td-score() {
  local pid=$1 a0=$((16#${2%-*})) a1=$((16#${2#*-})) h0 h1 line s e n x y acc=0 hotacc=0 wall=0 whot=0
  h0=$((a0 + $3))
  h1=$((h0 + $4))
  local -a rs=()
  while read -r line; do
    [[ "$line" =~ ^a=([0-9]+)\ .*pid=$pid\ ranges=([0-9a-f]+)-([0-9a-f]+) ]] || continue
    n=${BASH_REMATCH[1]}
    [ "$n" -gt 0 ] || continue
    s=$((16#${BASH_REMATCH[2]}))
    e=$((16#${BASH_REMATCH[3]}))
    ((s < a0)) && s=$a0
    ((e > a1)) && e=$a1
    ((s < e)) || continue
    rs+=("$s $e")
    wall=$((wall + n * (e - s) / 4096))
    x=$s y=$e
    ((x < h0)) && x=$h0
    ((y > h1)) && y=$h1
    ((y > x)) && whot=$((whot + n * (y - x) / 4096))
  done
  local cs=-1 ce=-1
  flush() {
    ((ce > cs)) || return 0
    acc=$((acc + ce - cs))
    local x=$cs y=$ce
    ((x < h0)) && x=$h0
    ((y > h1)) && y=$h1
    ((y > x)) && hotacc=$((hotacc + y - x))
    return 0
  }
  while read -r s e; do
    [ -n "$s" ] || continue
    if ((s <= ce)); then
      ((e > ce)) && ce=$e
    else
      flush
      cs=$s
      ce=$e
    fi
  done < <(printf '%s\n' "${rs[@]}" | sort -n -k1,1)
  flush
  awk -v acc="$acc" -v hot="$hotacc" -v hs="$4" -v cold=$((a1 - a0 - $4)) -v wall="$wall" -v whot="$whot" 'BEGIN {
    p = (acc > 0 ? hot / acc : 0); r = hot / hs; c = (acc - hot) / cold; w = (wall > 0 ? whot / wall : 0)
    printf "precision %.3f recall %.3f cold %.3f weighted-precision %.3f permille %d %d %d %d\n", p, r, c, w, p * 1000, r * 1000, c * 1000, w * 1000 }'
}

# td-measure LABEL PID ARRAY SECONDS: resets the counters, waits, scores them.
# Sets TD_P, TD_R, TD_C, TD_W in thousandths.
td-measure() {
  memtierd-command "tracker -reset" > /dev/null
  sleep "$4"
  memtierd-command "tracker -counters" > /dev/null
  local counters=$COMMAND_OUTPUT score
  echo "$1: $(grep -c '^a=' <<< "$counters") counters, $(grep -c '^a=[1-9]' <<< "$counters") with accesses"
  score=$(td-score "$2" "$3" $((64 << 20)) $((32 << 20)) <<< "$counters")
  echo "$1: $score"
  read -r _ _ _ _ _ _ _ _ _ TD_P TD_R TD_C TD_W <<< "$score"
  memtierd-command "tracker -dump"
}
