// Worker-thread entry for test/bench/sandbox-host.ts: loads it through tsx (workers do not
// inherit the parent's TypeScript loader), which then serves the sandbox on this thread.
import { tsImport } from 'tsx/esm/api';

await tsImport(new URL('./sandbox-host.ts', import.meta.url).href, import.meta.url);
