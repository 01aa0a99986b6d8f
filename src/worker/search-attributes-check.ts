import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_TYPES } from '../shared/contract';
import { temporal } from '@temporalio/proto';

const { IndexedValueType } = temporal.api.enums.v1;
const EXPECTED_TYPE: Record<string, number> = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/**
 * The contract's search attributes that the namespace lacks (or has with another type), each with the
 * `temporal operator search-attribute create` command that registers it.
 */
export async function missingSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const registered = customAttributes ?? {};
  return Object.entries(SEARCH_ATTRIBUTE_TYPES)
    .filter(([name, type]) => registered[name] !== EXPECTED_TYPE[type])
    .map(
      ([name, type]) =>
        `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${type}`,
    );
}
