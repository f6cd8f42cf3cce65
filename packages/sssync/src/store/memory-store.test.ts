import { runStoreSuite } from '../testing/index.js';
import { memoryStore } from './memory-store.js';

// The memory store keeps its data in the instance, so reopening means opening the same instance.
runStoreSuite('memory', () => memoryStore());
