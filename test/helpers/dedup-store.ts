/**
 * n8n's database-backed deduplication store, modelled at n8n's own helper boundary
 * (`DataDeduplicationService.init(deduplicator)` in n8n-core, which n8n's CLI calls with its
 * DeduplicationHelper). The jest runs have n8n-core but not n8n's CLI package and database, so
 * this model reproduces that helper step by step (n8n/dist/deduplication/deduplication-helper.js,
 * n8n 2.40.5 and 1.123.81 are identical there): one row per (workflowId, context) with the primary
 * key on both; `checkProcessedAndRecord` reads the row (findOne), validates the mode, and then
 * either INSERTs a new row (failing on the primary key when another caller inserted it first) or
 * UPDATEs the whole row with what it computed from its read, with no transaction in between; ids
 * are kept as md5/base64 hashes; `clearAllProcessedItems` DELETEs the row. Every database step
 * yields to the event loop for a random moment (`jitterMs`), so concurrent executions interleave
 * the way they do against PostgreSQL — including the lost update this store is known for.
 * The real thing is exercised by `npm run test:queue` and `npm run test:n8n`.
 */
import { createHash } from 'node:crypto';

import { sleep } from 'n8n-workflow';
import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
} from 'n8n-workflow';

interface Row {
	mode: string;
	data: DeduplicationItemTypes | DeduplicationItemTypes[];
}

export class DuplicateKeyError extends Error {
	code = '23505';
	constructor(table: string) {
		super(`duplicate key value violates unique constraint "PK_${table}"`);
		this.name = 'QueryFailedError';
	}
}

export class DedupStoreModel implements IDataDeduplicator {
	/** The processed_data table: `${workflowId}|${context}` → value. */
	readonly rows = new Map<string, Row>();
	/** Counts of the statements run, by kind. */
	readonly statements = { select: 0, insert: 0, update: 0, delete: 0, duplicateKey: 0 };
	jitterMs = 2;

	reset(): void {
		this.rows.clear();
		for (const key of Object.keys(this.statements) as Array<keyof DedupStoreModel['statements']>)
			this.statements[key] = 0;
	}

	private async tick(): Promise<void> {
		await sleep(Math.floor(Math.random() * (this.jitterMs + 1)));
	}

	private static context(
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
	): string {
		if (scope === 'node') {
			if (!contextData.node)
				throw new Error("No node information has been provided and so cannot use scope 'node'");
			return `n:${contextData.node.id}`;
		}
		return '';
	}

	private static hash(value: DeduplicationItemTypes): string {
		return createHash('md5').update(value.toString()).digest('base64');
	}

	private async findOne(pk: string): Promise<Row | undefined> {
		await this.tick();
		this.statements.select++;
		const row = this.rows.get(pk);
		return row ? (JSON.parse(JSON.stringify(row)) as Row) : undefined;
	}

	private async insert(pk: string, row: Row): Promise<void> {
		await this.tick();
		if (this.rows.has(pk)) {
			this.statements.duplicateKey++;
			throw new DuplicateKeyError('processed_data');
		}
		this.statements.insert++;
		this.rows.set(pk, JSON.parse(JSON.stringify(row)) as Row);
	}

	private async update(pk: string, row: Row): Promise<void> {
		await this.tick();
		this.statements.update++;
		// UPDATE … WHERE pk: no row, nothing written.
		if (this.rows.has(pk)) this.rows.set(pk, JSON.parse(JSON.stringify(row)) as Row);
	}

	async checkProcessedAndRecord(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<IDeduplicationOutput> {
		const pk = `${contextData.workflow.id}|${DedupStoreModel.context(scope, contextData)}`;
		const found = await this.findOne(pk);
		if (found && found.mode !== options.mode) {
			throw new Error(
				'Deduplication data was originally saved with an incompatible setting of the ‘Keep Items Where’ parameter. Try ’Clean Database’ operation to reset.',
			);
		}
		if (options.mode === 'latestIncrementalKey' || options.mode === 'latestDate') {
			if (options.mode === 'latestDate') throw new Error('latestDate is not modelled');
			const sorted = [...items].sort((a, b) => Number(a) - Number(b));
			if (!found) {
				await this.insert(pk, { mode: options.mode, data: sorted[sorted.length - 1] });
				return { new: items, processed: [] };
			}
			const result: IDeduplicationOutput = { new: [], processed: [] };
			if (Array.isArray(found.data)) return result;
			let largest = found.data;
			for (const item of sorted) {
				if (Number(item) > Number(found.data)) {
					result.new.push(item);
					if (Number(item) > Number(largest)) largest = item;
				} else result.processed.push(item);
			}
			await this.update(pk, { mode: found.mode, data: largest });
			return result;
		}
		const hashed = items.map((item) => DedupStoreModel.hash(item));
		if (!found) {
			if (options.maxEntries) hashed.splice(0, hashed.length - options.maxEntries);
			await this.insert(pk, { mode: options.mode, data: hashed });
			return { new: items, processed: [] };
		}
		const result: IDeduplicationOutput = { new: [], processed: [] };
		if (!Array.isArray(found.data)) return result;
		const data = found.data;
		const known = new Set(data);
		hashed.forEach((hash, index) => {
			if (known.has(hash)) result.processed.push(items[index]);
			else {
				result.new.push(items[index]);
				data.push(hash);
			}
		});
		if (options.maxEntries) data.splice(0, data.length - options.maxEntries);
		await this.update(pk, found);
		return result;
	}

	async removeProcessed(): Promise<void> {
		throw new Error('not modelled');
	}

	async clearAllProcessedItems(
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
	): Promise<void> {
		await this.tick();
		this.statements.delete++;
		this.rows.delete(`${contextData.workflow.id}|${DedupStoreModel.context(scope, contextData)}`);
	}

	async getProcessedDataCount(
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<number> {
		const row = await this.findOne(
			`${contextData.workflow.id}|${DedupStoreModel.context(scope, contextData)}`,
		);
		return options.mode === 'entries' && row && Array.isArray(row.data) ? row.data.length : 0;
	}
}
