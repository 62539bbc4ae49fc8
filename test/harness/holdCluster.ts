// Child process for the harness-cleanup test: starts a cluster, prints its directories, then waits
// to be killed, so the test can prove the exit handlers remove everything.
import { startCluster, stopOnExit } from './cluster';

void startCluster({ cronDatabase: 'postgres' }).then((cluster) => {
  stopOnExit(cluster);
  process.stdout.write(JSON.stringify({ baseDir: cluster.baseDir, dataDir: cluster.dataDir }) + '\n');
  setInterval(() => undefined, 1000);
});
