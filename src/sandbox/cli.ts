/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development tool, not shipped in dist */
/**
 * `npm run sandbox [-- --port 5680]`: starts the provider sandbox on loopback and prints
 * the base URLs and DEMO credentials. Port: --port, else env SANDBOX_PORT, else 5680.
 * Stops on SIGINT / SIGTERM.
 */
import { DEMO, startSandbox } from './index';

function portFromArgs(argv: string[]): number {
	const index = argv.findIndex((a) => a === '--port' || a.startsWith('--port='));
	const raw =
		index === -1
			? process.env.SANDBOX_PORT
			: argv[index].includes('=')
				? argv[index].split('=')[1]
				: argv[index + 1];
	const port = Number(raw ?? 5680);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new Error(`Invalid port: ${String(raw)}`);
	}
	return port;
}

async function main(): Promise<void> {
	const port = portFromArgs(process.argv.slice(2));
	const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
	const sandbox = await startSandbox({ port, host, seedLinkedIds: true });
	const groups = DEMO.groups;
	console.log(`Provider sandbox listening on ${sandbox.url}

Chert      base URL  ${sandbox.baseUrls.chert}
           tenant    ${DEMO.chert.tenantSlug}
           secret    ${DEMO.chert.signingSecret}   (HMAC signing secret / bearer token)
           senders   ${DEMO.chert.senders.join(', ')}
           groups    trio ${groups.chert.trio}, five ${groups.chert.five}, dm ${groups.chert.dm}

Linq       base URL  ${sandbox.baseUrls.linq}
           token     ${DEMO.linq.token}
           senders   ${DEMO.linq.senders.join(', ')}
           groups    trio ${groups.linq.trio}, five ${groups.linq.five}
                     sms ${groups.linq.sms}, dm ${groups.linq.dm}

Periskope  base URL  ${sandbox.baseUrls.periskope}
           api key   ${DEMO.periskope.apiKey}
           x-phone   ${DEMO.periskope.orgPhone}  (or ${DEMO.periskope.phoneId})
           contacts  ${DEMO.periskope.contacts.join(', ')}
           groups    trio ${groups.periskope.trio}, five ${groups.periskope.five}
                     linked ids ${groups.periskope.linked} (members ${DEMO.periskope.linkedIds.join(', ')})

Press Ctrl+C to stop.`);

	let stopping = false;
	const stop = (signal: string): void => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal} received, stopping the sandbox…`);
		sandbox.stop().then(
			() => process.exit(0),
			(error: unknown) => {
				console.error(error);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
