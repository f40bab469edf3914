/**
 * What the three emulators would otherwise each repeat about messages, once in the kernel: the
 * message log of every chat (messages the line sent and messages members posted, in order, so a
 * reply can name an earlier one), and the idempotency-key store that replays a create or a send.
 * Each provider keeps its own rules (which keys, which bodies, which error codes, which answers).
 */
import type {
	IdempotencyCheck,
	IdempotencyKeys,
	MessageStore,
	ProviderName,
	Reply,
	SandboxMessage,
} from './types';
import { canonicalJson, isRecord } from './util';

/** The text of a message's `text` parts, joined by a blank line (null when it has none). */
export function textOfParts(parts: unknown[]): string | null {
	const texts = parts
		.filter(isRecord)
		.filter((p) => p.type === 'text')
		.map((p) => String(p.value));
	return texts.length ? texts.join('\n\n') : null;
}

export class MessageLog implements MessageStore {
	private readonly chats = new Map<string, SandboxMessage[]>();

	private key(provider: ProviderName, chatId: string): string {
		return `${provider}:${chatId}`;
	}

	add(message: SandboxMessage): SandboxMessage {
		const key = this.key(message.provider, message.chatId);
		const list = this.chats.get(key) ?? [];
		list.push(message);
		this.chats.set(key, list);
		return message;
	}

	/** The chat's messages, oldest first (a copy). */
	list(provider: ProviderName, chatId: string): SandboxMessage[] {
		return [...(this.chats.get(this.key(provider, chatId)) ?? [])];
	}

	/** A message of one chat by its id (or its Periskope queue id). */
	find(provider: ProviderName, chatId: string, id: string): SandboxMessage | undefined {
		return this.chats.get(this.key(provider, chatId))?.find((m) => m.id === id || m.queueId === id);
	}

	/** A message of any chat of the provider by its id or queue id. */
	findAnywhere(provider: ProviderName, id: string): SandboxMessage | undefined {
		for (const [key, list] of this.chats) {
			if (!key.startsWith(`${provider}:`)) continue;
			const found = list.find((m) => m.id === id || m.queueId === id);
			if (found) return found;
		}
		return undefined;
	}

	reset(): void {
		this.chats.clear();
	}
}

/**
 * Idempotency keys: the same key with the same request (compared as canonical JSON) replays the
 * stored answer; the same key with another request is a conflict (each provider answers its own
 * code). Keys are scoped per provider and per the scope the provider gives (e.g. Chert's tenant).
 */
export class IdempotencyStore implements IdempotencyKeys {
	private readonly entries = new Map<string, { hash: string; reply: Reply }>();

	check(provider: ProviderName, scopedKey: string, request: unknown): IdempotencyCheck {
		const key = `${provider}:${scopedKey}`;
		const hash = canonicalJson(request);
		const previous = this.entries.get(key);
		if (previous)
			return previous.hash === hash
				? { kind: 'replay', reply: previous.reply }
				: { kind: 'conflict' };
		return { kind: 'new', remember: (reply) => this.entries.set(key, { hash, reply }) };
	}

	reset(): void {
		this.entries.clear();
	}
}
