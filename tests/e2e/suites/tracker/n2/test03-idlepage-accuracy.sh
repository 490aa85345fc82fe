# e2e-kernel: custom
# idlepage (needs CONFIG_IDLE_PAGE_TRACKING: the kernel of `make vm-kernel`)
# sees reads: meme only reads 32M of its 256M array all the time and touched
# the rest once; after a few scan intervals `tracker -counters` reports the
# read part and not the rest (precision and recall by pages printed,
# recall >= 0.9 and <= 10 % of the cold pages asserted). softdirty, tracking
# the same reads as long, reports no page of the array written.
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

tr-hot-cold-accuracy idlepage a -bs 256M -bwc 0 -brc 1 -brs 32M -bro 64M -pattern 7

step "softdirty does not see the reads"
tr-track softdirty "$TR_CONFIG" 8
written=$(tr-ranges w | tr-overlap-pages "$TR_AS" "$TR_AE")
expect-eq "pages of meme's array softdirty reports written" 0 "$written"
memtierd-command "tracker -stop"
memtierd-stop
meme-verify
