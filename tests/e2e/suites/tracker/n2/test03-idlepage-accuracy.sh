# e2e-kernel: custom
# idlepage (needs CONFIG_IDLE_PAGE_TRACKING: the kernel of `make vm-kernel`):
# meme reads 32M of its 256M array all the time and touched the rest once;
# after a few scan intervals `tracker -counters` reports the read part and
# not the rest (precision and recall by pages printed, recall >= 0.9 and
# <= 10 % of the cold pages asserted).
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

tr-hot-cold-accuracy idlepage a -bs 256M -bwc 0 -brc 1 -brs 32M -bro 64M -pattern 7
memtierd-command "tracker -stop"
memtierd-stop
meme-verify
