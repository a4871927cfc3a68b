using System.Globalization;

namespace Muster.Core.Tools;

/// <summary>
/// A recursive-descent evaluator for arithmetic, so that the calculator tool never executes code an LLM wrote.
/// Grammar: expr = term (('+'|'-') term)*; term = power (('*'|'/'|'%') power)*; power = unary ('^' power)?;
/// unary = ('+'|'-') unary | primary; primary = number | name '(' args ')' | '(' expr ')'.
/// </summary>
internal sealed class ArithmeticEvaluator
{
    private const int MaxLength = 2000;
    private const int MaxDepth = 100;
    private readonly string _text;
    private int _position;
    private int _depth;

    private ArithmeticEvaluator(string text) => _text = text;

    /// <exception cref="FormatException">The expression is not valid arithmetic; the message says where.</exception>
    public static double Evaluate(string expression)
    {
        if (string.IsNullOrWhiteSpace(expression) || expression.Length > MaxLength)
        {
            throw new FormatException($"The expression must be 1 to {MaxLength} characters.");
        }

        var evaluator = new ArithmeticEvaluator(expression.Replace("**", "^", StringComparison.Ordinal));
        var value = evaluator.Expression();
        evaluator.SkipSpaces();
        if (evaluator._position < evaluator._text.Length)
        {
            throw evaluator.Error("unexpected character");
        }

        return double.IsFinite(value) ? value : throw new FormatException("The result is not a finite number (division by zero?).");
    }

    private double Expression()
    {
        if (++_depth > MaxDepth)
        {
            throw Error("expression nested too deeply");
        }

        var value = Term();
        while (true)
        {
            if (Accept('+'))
            {
                value += Term();
            }
            else if (Accept('-'))
            {
                value -= Term();
            }
            else
            {
                _depth--;
                return value;
            }
        }
    }

    private double Term()
    {
        var value = Power();
        while (true)
        {
            if (Accept('*'))
            {
                value *= Power();
            }
            else if (Accept('/'))
            {
                value /= Power();
            }
            else if (Accept('%'))
            {
                value %= Power();
            }
            else
            {
                return value;
            }
        }
    }

    private double Power()
    {
        var value = Unary();
        return Accept('^') ? Math.Pow(value, Power()) : value;
    }

    private double Unary()
    {
        if (Accept('-'))
        {
            return -Unary();
        }

        return Accept('+') ? Unary() : Primary();
    }

    private double Primary()
    {
        SkipSpaces();
        if (Accept('('))
        {
            var value = Expression();
            Expect(')');
            return value;
        }

        var start = _position;
        if (_position < _text.Length && char.IsLetter(_text[_position]))
        {
            while (_position < _text.Length && char.IsLetterOrDigit(_text[_position]))
            {
                _position++;
            }

            return Function(_text[start.._position].ToLowerInvariant());
        }

        while (_position < _text.Length && (char.IsDigit(_text[_position]) || _text[_position] == '.' || _text[_position] == '_'))
        {
            _position++;
        }

        if (_position < _text.Length && _text[_position] is 'e' or 'E' && _position > start)
        {
            _position++;
            if (_position < _text.Length && _text[_position] is '+' or '-')
            {
                _position++;
            }

            while (_position < _text.Length && char.IsDigit(_text[_position]))
            {
                _position++;
            }
        }

        var number = _text[start.._position].Replace("_", "", StringComparison.Ordinal);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw Error("expected a number");
    }

    private double Function(string name)
    {
        switch (name)
        {
            case "pi":
                return Math.PI;
            case "e":
                return Math.E;
        }

        Expect('(');
        var args = new List<double> { Expression() };
        while (Accept(','))
        {
            args.Add(Expression());
        }

        Expect(')');
        return (name, args.Count) switch
        {
            ("sqrt", 1) => Math.Sqrt(args[0]),
            ("abs", 1) => Math.Abs(args[0]),
            ("floor", 1) => Math.Floor(args[0]),
            ("ceil", 1) => Math.Ceiling(args[0]),
            ("round", 1) => Math.Round(args[0], MidpointRounding.AwayFromZero),
            ("round", 2) => Math.Round(args[0], (int)Math.Clamp(args[1], 0, 15), MidpointRounding.AwayFromZero),
            ("ln", 1) => Math.Log(args[0]),
            ("log10", 1) => Math.Log10(args[0]),
            ("min", > 0) => args.Min(),
            ("max", > 0) => args.Max(),
            _ => throw Error($"unknown function '{name}' with {args.Count} argument(s)"),
        };
    }

    private void SkipSpaces()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private bool Peek(char c)
    {
        SkipSpaces();
        return _position < _text.Length && _text[_position] == c;
    }

    private bool Accept(char c)
    {
        if (!Peek(c))
        {
            return false;
        }

        _position++;
        return true;
    }

    private void Expect(char c)
    {
        if (!Accept(c))
        {
            throw Error($"expected '{c}'");
        }
    }

    private FormatException Error(string what) => new($"Invalid expression at position {_position + 1}: {what}.");
}
