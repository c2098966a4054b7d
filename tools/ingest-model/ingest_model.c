/*
 * A model of Trefoil's ingest pipeline in C, to find what this machine allows (docs/performance.md,
 * "The target not met"). It reads SRC in chunks and hashes them with OpenSSL on an MD5 thread and a
 * SHA-256 + SHA-1 thread while a write thread copies them to DST, then fsyncs DST.
 *
 *   cc -O2 -o ingest_model ingest_model.c -lcrypto -lpthread -Wno-deprecated-declarations
 *   ./ingest_model SRC DST DIRECT SPLIT CHUNK_KIB WINDOW SYNC_MIB
 *
 * DIRECT: 0 buffered writes (sync_file_range every 8 MiB), 1 O_DIRECT, 2 no writes at all.
 * SPLIT: 0 writes on the SHA thread, 1 on a thread of their own. SYNC_MIB: fdatasync on a flush
 * thread every that many MiB written (0: only the final fsync). run.py times the variants.
 */
#define _GNU_SOURCE
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

static size_t CH; static int WIN; static int DIRECT; static int SPLIT; // SPLIT: write lane separate
static unsigned char **buf; static size_t *len;
static long filled = 0, total = -1; static long done[3];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER; static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int out;
static long minDone(void){ long m = done[0]; for(int i=1;i<3;i++) if(done[i]<m) m=done[i]; return m; }
static int wait_chunk(long k){ pthread_mutex_lock(&mu); while(k>=filled && (total<0||k<total)) pthread_cond_wait(&cv,&mu); int ok = !(total>=0 && k>=total); pthread_mutex_unlock(&mu); return ok; }
static void mark(int lane,long k){ pthread_mutex_lock(&mu); done[lane]=k+1; pthread_cond_broadcast(&cv); pthread_mutex_unlock(&mu); }
static volatile off_t woff = 0; static volatile int finished=0; static long STEP=0;
static void *flusher(void*a){ off_t synced=0; while(!finished){ off_t w=woff; if(w-synced>=STEP){ fdatasync(out); synced=w; } else usleep(2000);} return 0; }
static void do_write(long k){ if (DIRECT==2) return;
  unsigned char *p = buf[k%WIN]; size_t n = len[k%WIN];
  if (DIRECT) { size_t a = n & ~(size_t)4095; if (a) { if (pwrite(out,p,a,woff)!=(ssize_t)a){perror("pwrite");exit(1);} }
    if (n>a) { int fl=fcntl(out,F_GETFL); fcntl(out,F_SETFL,fl&~O_DIRECT); pwrite(out,p+a,n-a,woff+a); }
  } else { if (pwrite(out,p,n,woff)!=(ssize_t)n){perror("w");exit(1);} 
    if (((woff+n) % (8<<20))==0) sync_file_range(out, woff+n-(8<<20), 8<<20, SYNC_FILE_RANGE_WRITE); }
  woff += n;
}
static void *md5lane(void*a){ MD5_CTX c; MD5_Init(&c); for(long k=0;wait_chunk(k);k++){ MD5_Update(&c,buf[k%WIN],len[k%WIN]); mark(0,k);} unsigned char d[16]; MD5_Final(d,&c); printf("md5 %02x%02x..\n",d[0],d[1]); return 0; }
static void *shalane(void*a){ SHA256_CTX c; SHA_CTX s; SHA256_Init(&c); SHA1_Init(&s); for(long k=0;wait_chunk(k);k++){ SHA256_Update(&c,buf[k%WIN],len[k%WIN]); SHA1_Update(&s,buf[k%WIN],len[k%WIN]); if(!SPLIT) do_write(k); mark(1,k);} unsigned char d[32]; SHA256_Final(d,&c); SHA1_Final(d,&s); return 0; }
static void *wlane(void*a){ for(long k=0;wait_chunk(k);k++){ if(SPLIT) do_write(k); mark(2,k);} return 0; }
static double now(void){ struct timespec t; clock_gettime(CLOCK_MONOTONIC,&t); return t.tv_sec+t.tv_nsec/1e9; }
int main(int argc,char**argv){
  const char*src=argv[1],*dst=argv[2]; DIRECT=atoi(argv[3]); SPLIT=atoi(argv[4]); CH=(size_t)atol(argv[5])<<10; WIN=atoi(argv[6]);
  buf=malloc(sizeof(void*)*WIN); len=calloc(WIN,sizeof(size_t)); for(int i=0;i<WIN;i++) posix_memalign((void**)&buf[i],4096,CH);
  double t0=now();
  int in=open(src,O_RDONLY); out=open(dst,O_WRONLY|O_CREAT|O_TRUNC|(DIRECT==1?O_DIRECT:0),0644);
  pthread_t t[3], ft; STEP=(long)atol(argv[7])<<20; if(STEP) pthread_create(&ft,0,flusher,0); pthread_create(&t[0],0,md5lane,0); pthread_create(&t[1],0,shalane,0); pthread_create(&t[2],0,wlane,0);
  for(long k=0;;k++){ pthread_mutex_lock(&mu); while(k-minDone()>=WIN) pthread_cond_wait(&cv,&mu); pthread_mutex_unlock(&mu);
    ssize_t n=read(in,buf[k%WIN],CH); if(n<=0){ pthread_mutex_lock(&mu); total=k; pthread_cond_broadcast(&cv); pthread_mutex_unlock(&mu); break; }
    len[k%WIN]=n; pthread_mutex_lock(&mu); filled=k+1; pthread_cond_broadcast(&cv); pthread_mutex_unlock(&mu); }
  for(int i=0;i<3;i++) pthread_join(t[i],0);
  finished=1; if(STEP) pthread_join(ft,0); double t1=now(); fsync(out); double t2=now();
  printf("mode direct=%d split=%d chunk=%zuK win=%d: pipeline %.2f s fsync %.2f s total %.2f s\n",DIRECT,SPLIT,CH>>10,WIN,t1-t0,t2-t1,t2-t0);
  return 0; }
