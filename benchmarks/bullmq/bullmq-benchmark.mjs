// The reference for queue-benchmark: the same no-op jobs through BullMQ on Redis, added 1,000 a call, then
// drained by one Worker with the same concurrency; prints jobs/s in queue-benchmark's format.
//   node bullmq-benchmark.mjs --port PORT [--jobs N] [--concurrency N]
import { Queue, Worker } from 'bullmq';
import { parseArgs } from 'node:util';

// Not strict: queue-benchmark's other options (--batch-size, --settle-ms...) are passed along and ignored.
const { values } = parseArgs({
  strict: false,
  options: {
    port: { type: 'string' },
    jobs: { type: 'string', default: '50000' },
    concurrency: { type: 'string', default: '10' },
  },
});
const connection = { host: '127.0.0.1', port: Number(values.port) };
const jobs = Number(values.jobs);
const concurrency = Number(values.concurrency);
const name = 'benchmark';
const addBatch = 1000;

// queue-benchmark's line: label, count, seconds, rate.
const printRate = (label, count, seconds) =>
  console.log(`${label.padEnd(46)} ${String(count).padStart(7)} jobs in ${seconds.toFixed(2).padStart(6)} s ` +
              `${Math.round(count / seconds).toString().padStart(9)} jobs/s`);
const queue = new Queue(name, { connection });
await queue.obliterate({ force: true });

let started = process.hrtime.bigint();
for (let first = 0; first < jobs; first += addBatch) {
  const batch = [];
  for (let i = first; i < Math.min(jobs, first + addBatch); ++i) {
    batch.push({ name: 'job', data: { n: 1 }, opts: { jobId: `job-${i}` } });
  }
  await queue.addBulk(batch);
}
const seconds = (since) => Number(process.hrtime.bigint() - since) / 1e9;
console.log(`bullmq benchmark on Redis: no-op jobs, concurrency ${concurrency}`);
printRate(`  enqueue (${addBatch} a call)`, jobs, seconds(started));

let completed = 0;
const done = new Promise((resolve) => {
  started = process.hrtime.bigint();
  const worker = new Worker(name, async () => {}, { connection, concurrency });
  worker.on('completed', () => {
    if (++completed === jobs) {
      resolve(seconds(started));
      worker.close();
    }
  });
});
printRate('  claim + complete, 1 worker', jobs, await done);
await queue.obliterate({ force: true });
await queue.close();
