/**
 * Webhook-subscription endpoints, once for all three emulators: list, create, get and delete
 * over the kernel's subscription store (`EmulatorContext.webhooks`), with deterministic ids and
 * secrets. A provider declares only its `SubscriptionApi`: the path, how a create body is
 * checked, and how its answers look.
 */
import type { EmulatorContext, HandlerInput, HubSubscription, ProviderName, Reply } from './types';
import { deterministicUuid, isRecord, parseJsonBody, type Route } from './util';

/** What a create request asks to store (the kernel adds id, provider, secret and times). */
export type SubscriptionDraft = Pick<HubSubscription, 'url' | 'events' | 'phoneNumbers'>;

/** A provider's subscription endpoints: its route, create body and answers. */
export interface SubscriptionApi {
	provider: ProviderName;
	/** The collection's path (e.g. 'v3/webhook-subscriptions'); one subscription is `<path>/:id`. */
	path: string;
	/** Ids are deterministicUuid(`<provider>.<counter>.<n>`), n from the context's counter of that name. */
	counter: string;
	/** The fields a create body may have; any other is refused with badRequest('Unknown field: <name>'). */
	fields: string[];
	/** The provider's answer to a create body that is not a JSON object. */
	notAnObject(): Reply;
	/** The provider's 400 for a create body it refuses, with this message. */
	badRequest(message: string): Reply;
	/**
	 * Checks a create body (a JSON object of known fields): the subscriptions to store
	 * (Periskope: one per event), or the provider's error. `existing`: the provider's current ones.
	 */
	parse(
		body: Record<string, unknown>,
		existing: HubSubscription[],
	): { drafts: SubscriptionDraft[] } | { reply: Reply };
	/** The signing secret of the n-th subscription (absent: the provider signs nothing). */
	secret?(n: number): string;
	/** One subscription as the provider shows it; `created` on the create answer (with the secret). */
	view(subscription: HubSubscription, created: boolean): unknown;
	listed(views: unknown[]): Reply;
	found(view: unknown): Reply;
	created(views: unknown[]): Reply;
	deleted(id: string): Reply;
	notFound(id: string): Reply;
}

type SubscriptionHandler = (input: HandlerInput, params: Record<string, string>) => Reply;

/** The four subscription routes of a provider, for its route table. */
export function subscriptionRoutes(
	ctx: EmulatorContext,
	api: SubscriptionApi,
): Array<Route<SubscriptionHandler>> {
	const { provider } = api;
	const store = ctx.webhooks;
	return [
		{
			method: 'GET',
			pattern: api.path,
			handler: () => api.listed(store.list(provider).map((sub) => api.view(sub, false))),
		},
		{
			method: 'POST',
			pattern: api.path,
			handler: (input) => {
				const json = parseJsonBody(input.rawBody);
				if (!json.ok || !isRecord(json.value)) return api.notAnObject();
				const unknown = Object.keys(json.value).find((key) => !api.fields.includes(key));
				if (unknown !== undefined) return api.badRequest(`Unknown field: ${unknown}`);
				const parsed = api.parse(json.value, store.list(provider));
				if ('reply' in parsed) return parsed.reply;
				const stored = parsed.drafts.map((draft) => {
					const n = ctx.next(`${provider}.${api.counter}`);
					const secret = api.secret?.(n);
					return store.add({
						id: deterministicUuid(`${provider}.${api.counter}.${n}`),
						provider,
						...draft,
						...(secret === undefined ? {} : { secret }),
					});
				});
				return api.created(stored.map((sub) => api.view(sub, true)));
			},
		},
		{
			method: 'GET',
			pattern: `${api.path}/:id`,
			handler: (_input, { id }) => {
				const sub = store.get(provider, id);
				return sub ? api.found(api.view(sub, false)) : api.notFound(id);
			},
		},
		{
			method: 'DELETE',
			pattern: `${api.path}/:id`,
			handler: (_input, { id }) =>
				store.remove(provider, id) ? api.deleted(id) : api.notFound(id),
		},
	];
}
