// jest `setupFiles`: runs before each test file. n8n's logger goes to an in-memory sink
// (test/helpers/n8n-log.ts) instead of the console, so expected node errors are asserted by the
// tests, not printed; the leak test captures and scans that sink.
import { silenceN8nLogger } from '../helpers/n8n-log';

silenceN8nLogger();
