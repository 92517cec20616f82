// The TensorFlow.js backend, chosen once at start: tfjs-node when it is installed (an optional
// dependency: its install downloads libtensorflow), else WebAssembly with SIMD, else plain CPU.
// Every log line and artefact names the one in use.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let chosen: Promise<BackendName> | undefined;

/** Sets up the best backend available (once) and returns its name. */
export function initBackend(prefer?: BackendName): Promise<BackendName> {
  chosen ??= (async () => {
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
