//! Import jobs on DynamoDB: the job and its chunks share the partition `IMPORT#<id>`, so a
//! page of rows is one Query of it; an open job is also on the `IMPORTS#open` list of the
//! index, which a sweep reads. A chunk's results and the job's progress are written in
//! one transaction, each conditioned: the job on its version, the chunk on having none.

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use portal_domain::StoreError;
use portal_domain::ids::ImportId;
use portal_domain::import::{ImportChunk, ImportJob};
use portal_domain::ports::ImportStore;

use super::errors::{invalid_request, refused, unavailable};
use super::items::{
    DONE, OPEN_IMPORTS, chunk_key, data_of, from_data, import_chunk_item, import_item, import_key,
};
use super::{DynamoStore, put};
use crate::table::{PK, SK};

/// Chunks written at once when a job is stored: a file of 10 000 rows is 100 of them.
const CONCURRENT_PUTS: usize = 8;

#[async_trait]
impl ImportStore for DynamoStore {
    async fn create_import(
        &self,
        job: &ImportJob,
        chunks: &[ImportChunk],
    ) -> Result<(), StoreError> {
        // Each chunk on its own: a transaction holds 4 MB at most, a file's chunks may be
        // more. The job goes last, so a job that can be read has every chunk.
        let puts = chunks
            .iter()
            .map(|chunk| self.put_new(import_chunk_item(chunk)?))
            .collect::<Result<Vec<_>, StoreError>>()?;
        futures::stream::iter(puts)
            .map(|put| self.put_alone(put))
            .buffer_unordered(CONCURRENT_PUTS)
            .try_collect::<Vec<()>>()
            .await?;
        self.put_alone(self.put_new(import_item(job)?)?).await
    }

    async fn import(&self, id: &ImportId) -> Result<Option<ImportJob>, StoreError> {
        from_data(self.get(import_key(id)).await?)
    }

    async fn update_import(&self, next: &ImportJob) -> Result<(), StoreError> {
        let put = self.put_next_version(import_item(next)?, next.version)?;
        self.put_alone(put).await
    }

    async fn open_imports(&self, limit: u32) -> Result<Vec<ImportJob>, StoreError> {
        let (jobs, _) = self
            .read_list(OPEN_IMPORTS.to_owned(), "", limit, false, None, data_of)
            .await?;
        Ok(jobs)
    }

    async fn import_chunks(
        &self,
        id: &ImportId,
        from: u32,
        limit: u32,
    ) -> Result<Vec<ImportChunk>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let key = chunk_key(id, from);
        let output = self
            .client
            .query()
            .table_name(&self.table_name)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :last")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", key[PK].clone())
            .expression_attribute_values(":from", key[SK].clone())
            .expression_attribute_values(":last", chunk_key(id, u32::MAX)[SK].clone())
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(data_of)
            .collect()
    }

    async fn finish_import_chunk(
        &self,
        next: &ImportJob,
        chunk: &ImportChunk,
    ) -> Result<(), StoreError> {
        let job = self.put_next_version(import_item(next)?, next.version)?;
        let chunk = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table_name)
            .set_item(Some(import_chunk_item(chunk)?))
            .condition_expression("attribute_exists(#pk) AND attribute_not_exists(#done)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#done", DONE)
            .build()
            .map_err(invalid_request)?;
        self.transact(vec![put(job), put(chunk)])
            .await
            .map_err(|error| refused(error, |_| None))
    }
}
