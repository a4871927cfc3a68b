using Dapper;

namespace Muster.Storage.Sql;

public abstract partial class SqlRunStore
{
    public Task<WebhookSettings?> GetWebhooksAsync(Guid runId, CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            var json = await connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
                "SELECT webhooks FROM runs WHERE id = @Id", new { Id = runId.ToString() }, cancellationToken: cancellationToken));
            return json is null ? null : StoreJson.Read<WebhookSettings>(json);
        }, cancellationToken);

    public Task<WebhookSettings?> UpdateWebhooksAsync(Guid runId, Func<WebhookSettings, WebhookSettings> change, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var id = runId.ToString();
            var json = await connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
                $"SELECT webhooks FROM runs WHERE id = @Id{LockRow}", new { Id = id }, transaction, cancellationToken: cancellationToken));
            if (json is null)
            {
                return null;
            }

            var changed = change(StoreJson.Read<WebhookSettings>(json));
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE runs SET webhooks = @Webhooks WHERE id = @Id", new { Id = id, Webhooks = StoreJson.Write(changed) },
                transaction, cancellationToken: cancellationToken));
            return (WebhookSettings?)changed;
        }, cancellationToken);
}
