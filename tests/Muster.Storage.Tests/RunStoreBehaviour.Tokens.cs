using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

public abstract partial class RunStoreBehaviour
{
    private static TokenRecord Token(string id, TokenKind kind = TokenKind.Organization, string? user = null, DateTimeOffset? createdAt = null) => new()
    {
        Id = id,
        Hash = "sha256-" + id,
        Kind = kind,
        UserId = user,
        Crews = kind == TokenKind.User ? ["research"] : [],
        Name = "token " + id,
        CreatedAt = createdAt ?? T0,
    };

    [StoreFact]
    public async Task CreateToken_ThenFindByHash_ReturnsIt()
    {
        var token = Token("tok_user", TokenKind.User, "alice");
        await Tokens.CreateTokenAsync(token, Ct);

        var found = (await Tokens.FindTokenByHashAsync("sha256-tok_user", Ct)).ShouldNotBeNull();

        found.Id.ShouldBe("tok_user");
        found.Kind.ShouldBe(TokenKind.User);
        found.UserId.ShouldBe("alice");
        found.Crews.ShouldBe(["research"]);
        found.Name.ShouldBe("token tok_user");
        found.CreatedAt.ShouldBe(T0);
        found.RevokedAt.ShouldBeNull();
        (await Tokens.FindTokenByHashAsync("sha256-unknown", Ct)).ShouldBeNull();
    }

    [StoreFact]
    public async Task ListTokens_ReturnsAllInCreationOrder()
    {
        await Tokens.CreateTokenAsync(Token("tok_b", createdAt: T0.AddSeconds(1)), Ct);
        await Tokens.CreateTokenAsync(Token("tok_a"), Ct);

        (await Tokens.ListTokensAsync(Ct)).Select(t => t.Id).ShouldBe(["tok_a", "tok_b"]);
    }

    [StoreFact]
    public async Task RevokeToken_RevokesOnceAndKeepsTheRecord()
    {
        await Tokens.CreateTokenAsync(Token("tok_a"), Ct);

        (await Tokens.RevokeTokenAsync("tok_a", T0.AddDays(1), Ct)).ShouldBeTrue();
        (await Tokens.RevokeTokenAsync("tok_a", T0.AddDays(2), Ct)).ShouldBeFalse();
        (await Tokens.RevokeTokenAsync("tok_missing", T0, Ct)).ShouldBeFalse();

        (await Tokens.FindTokenByHashAsync("sha256-tok_a", Ct))!.RevokedAt.ShouldBe(T0.AddDays(1));
    }

    [StoreFact]
    public async Task CreateToken_WithTakenId_Throws()
    {
        await Tokens.CreateTokenAsync(Token("tok_a"), Ct);

        await Should.ThrowAsync<Exception>(() => Tokens.CreateTokenAsync(Token("tok_a") with { Hash = "other" }, Ct));
    }
}
