using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Muster.Console.Tests;

/// <summary>The console without a mouse: signing in, moving between pages and kicking off, with the focus always visible.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class KeyboardTests(ConsoleServer console)
{
    [Fact]
    public async Task SigningInNavigatingAndKickingOff_WorkByKeyboardAlone_WithAVisibleFocus()
    {
        var topic = "keyboard-" + Guid.NewGuid().ToString("N")[..8];
        var page = await console.NewPageAsync();
        await page.GotoAsync("/ui/login");

        await TabToAsync(page, "input[name=token]");
        await page.Keyboard.TypeAsync(console.Server.BootstrapToken);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("/ui/runs$"));

        // The first Tab reaches the skip link, which jumps past the navigation.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator(".skip")).ToBeFocusedAsync();
        (await OutlineAsync(page)).ShouldNotBe("none", "the focused control shows it");

        await TabToAsync(page, "nav a[href='/ui/crews']");
        (await OutlineAsync(page)).ShouldNotBe("none");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("/ui/crews$"));

        await TabToAsync(page, "#crew-research textarea[name='input.topic']");
        await page.Keyboard.TypeAsync(topic);
        await TabToAsync(page, "#crew-research button[type=submit]");
        (await OutlineAsync(page)).ShouldNotBe("none");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("/ui/runs/[0-9a-f]{32}$"));
        await Expect(page.Locator(".input-value")).ToHaveTextAsync(topic);
    }

    /// <summary>Presses Tab until the element <paramref name="selector"/> names has the focus (a page has fewer than 60 stops).</summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        for (var stop = 0; stop < 60; stop++)
        {
            if (await page.EvaluateAsync<bool>("s => document.activeElement === document.querySelector(s)", selector))
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
        }

        throw new ShouldAssertException($"Tab never reached {selector}");
    }

    private static Task<string> OutlineAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
}
