/**
 * Calls the node's pickers the way n8n's editor backend does (DynamicNodeParametersService):
 * a one-node Workflow built from the node's current parameters and credentials, an n8n-core
 * LoadOptionsContext on it, and the method called with `this` bound to that context — so
 * credentials are resolved by n8n and requests are signed by the credential's authenticate.
 */
import { LoadOptionsContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeListSearchResult,
	type INodeParameters,
	type INodePropertyOptions,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { GroupChat } from '../../nodes/GroupChat/GroupChat.node';
import { TestCredentialsHelper, credentialTypeOf } from './credentials';
import { NODE_TYPE, TestNodeTypes } from './engine';

/** An n8n-core LoadOptionsContext on a one-node workflow (also a RequestContext for callProvider). */
export function loadOptionsContext(
	parameters: IDataObject,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	path: string,
): LoadOptionsContext {
	const credentialType = credentialTypeOf(parameters.provider);
	const node: INode = {
		id: 'uuid-1234',
		name: 'Temp-Node',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INodeParameters,
		credentials: {
			[credentialType]: { id: `cred-${credentialType}`, name: `${credentialType} test` },
		},
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new TestNodeTypes(),
	});
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(credentials),
		currentNodeParameters: parameters as INodeParameters,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		webhookBaseUrl: '',
		webhookWaitingBaseUrl: '',
		webhookTestBaseUrl: '',
		variables: {},
	} as unknown as IWorkflowExecuteAdditionalData;
	return new LoadOptionsContext(workflow, workflow.getNode('Temp-Node')!, additionalData, path);
}

const methods = new GroupChat().methods!;

/** A loadOptions method, as the editor calls it for the parameter at `path`. */
export async function loadOptions(
	method: string,
	parameters: IDataObject,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	path = `parameters.${method}`,
): Promise<INodePropertyOptions[]> {
	const fn = methods.loadOptions?.[method];
	if (!fn) throw new Error(`No loadOptions method ${method}`);
	return await fn.call(loadOptionsContext(parameters, credentials, path));
}

/** A listSearch method (resource locator "From List"), with the editor's filter and pagination token. */
export async function listSearch(
	method: string,
	parameters: IDataObject,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const fn = methods.listSearch?.[method];
	if (!fn) throw new Error(`No listSearch method ${method}`);
	return await fn.call(
		loadOptionsContext(parameters, credentials, 'parameters.chatId'),
		filter,
		paginationToken,
	);
}
