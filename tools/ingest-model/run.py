"""Times ingest_model variants against md5sum and dd, alternating, on SRC (default src.bin, 1 GiB).

Usage, in this folder (the .bin files and the binary are ignored by git):
    cc -O2 -o ingest_model ingest_model.c -lcrypto -lpthread -Wno-deprecated-declarations
    head -c 1G /dev/urandom > src.bin && cat src.bin > /dev/null
    python3 run.py [ROUNDS]      # default 5; writes and removes dst.bin here
Prints one table row per variant: median seconds (min-max), ratio to md5sum, median CPU steal.
"""
import subprocess, time, statistics, os, sys
def stat():
    f=open('/proc/stat').readline().split()[1:]; return list(map(int,f))
cfgs = {
 'md5sum': ['md5sum','src.bin'],
 'hash only (no write)': ['./ingest_model','src.bin','dst.bin','2','0','1024','8','0'],
 'buffered, write on the SHA lane, sync_file_range every 8 MiB (the server before fix 13)': ['./ingest_model','src.bin','dst.bin','0','0','1024','8','0'],
 'buffered, write lane, fdatasync every 64 MiB': ['./ingest_model','src.bin','dst.bin','0','1','1024','16','64'],
 'O_DIRECT 1 MiB, write lane': ['./ingest_model','src.bin','dst.bin','1','1','1024','16','0'],
 'O_DIRECT 1 MiB, write lane, fdatasync every 64 MiB (fix 13)': ['./ingest_model','src.bin','dst.bin','1','1','1024','16','64'],
 'O_DIRECT 4 MiB, write lane, fdatasync every 64 MiB': ['./ingest_model','src.bin','dst.bin','1','1','4096','8','64'],
 'dd bs=1M conv=fsync (copy only)': ['dd','if=src.bin','of=dst.bin','bs=1M','conv=fsync','status=none'],
}
res={k:[] for k in cfgs}; steal={k:[] for k in cfgs}
rounds=int(sys.argv[1]) if len(sys.argv)>1 else 5
for r in range(rounds):
    for k,cmd in cfgs.items():
        subprocess.run(['sync']); time.sleep(0.5)
        s0=stat(); t0=time.monotonic()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        t=time.monotonic()-t0; s1=stat()
        d=[b-a for a,b in zip(s0,s1)]; tot=sum(d)
        res[k].append(t); steal[k].append(100*d[7]/tot if tot else 0)
        if os.path.exists('dst.bin'): os.remove('dst.bin')
base=statistics.median(res['md5sum'])
for k in cfgs:
    m=statistics.median(res[k])
    print(f"| {k} | {m:.2f} ({min(res[k]):.2f}–{max(res[k]):.2f}) | {base/m:.2f}× | {statistics.median(steal[k]):.0f} % |")
