// The TensorFlow.js backend, chosen once at start: tfjs-node when it is installed (an optional
// dependency: its install downloads libtensorflow), else WebAssembly with SIMD, else plain CPU.
// Every log line and artefact names the one in use.
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { engineThreads } from '../data/engine-threads.ts';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let chosen: Promise<BackendName> | undefined;

/** Sets up the best backend available (once) and returns its name. */
export function initBackend(prefer?: BackendName): Promise<BackendName> {
  chosen ??= (async () => {
    // A worker limited to a number of threads (rafcast worker --threads); WebAssembly's threads are
    // off in Node today, so this only holds if a later version turns them on.
    const threads = engineThreads();
    if (threads !== undefined) setThreadsCount(threads);
    const order: BackendName[] = prefer ? [prefer] : ['tensorflow', 'wasm', 'cpu'];
    for (const name of order) {
      try {
        if (name === 'tensorflow') {
          // Registers the 'tensorflow' backend when the native package is installed.
          await import('@tensorflow/tfjs-node' as string);
        }
        if (await tf.setBackend(name)) {
          await tf.ready();
          return name;
        }
      } catch {
        // Not installed or not usable here: try the next.
      }
    }
    throw new Error(`no TensorFlow.js backend could start (tried ${order.join(', ')})`);
  })();
  return chosen;
}

export { tf };
