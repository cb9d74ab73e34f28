using CsCheck;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sluice.Tests.Plugins.Grpc.Codec.Protos;

namespace Sluice.Tests.Plugins.Grpc.Codec;

/// <summary>
/// Random <see cref="Everything"/> messages for the oracle tests: every field kind, edge values (integer
/// limits, -0.0, NaN and infinities, empty strings and bytes, non-ASCII and astral text), every
/// well-known type, big maps and deep nesting within the codec's limit. Written as one CsCheck generator
/// drawing from CsCheck's PCG, so a failure reports a seed that replays it; the size is the encoded
/// length, so CsCheck shrinks towards smaller messages.
/// </summary>
internal sealed class MessageGen : Gen<Everything>
{
    private const int MaxChildDepth = 2;

    public override Everything Generate(PCG pcg, Size? min, out Size size)
    {
        var random = new Draw(pcg);
        var message = random.Chance(1, 40) ? DeepChain(random) : Everything(random, depth: 0);
        size = new Size((ulong)message.CalculateSize());
        return message;
    }

    /// <summary>A chain of nested children, deep but inside the parsers' recursion limits.</summary>
    private static Everything DeepChain(Draw random)
    {
        var depth = random.Int(20, 45);
        var root = new Everything { Scalars = Scalars(random) };
        var current = root;
        for (var i = 0; i < depth; i++)
        {
            current.Child = new Everything { Color = Color.Blue, Strings = { $"level {i}" } };
            current = current.Child;
        }
        return root;
    }

    private static Everything Everything(Draw random, int depth)
    {
        var m = new Everything();
        var density = random.Int(1, 10); // some messages sparse, some dense
        bool Set() => random.Int(0, 10) < density;

        if (Set()) m.Scalars = Scalars(random);
        if (Set()) m.Color = random.Color();
        if (depth < MaxChildDepth && random.Chance(1, 4)) m.Child = Everything(random, depth + 1);
        if (Set()) m.Inner = Inner(random, depth);

        if (Set()) m.PackedInt32.AddRange(random.List(random.Int32));
        if (Set()) m.PackedSint64.AddRange(random.List(random.Int64));
        if (Set()) m.PackedDouble.AddRange(random.List(random.Double));
        if (Set()) m.PackedFloat.AddRange(random.List(random.Float));
        if (Set()) m.PackedFixed64.AddRange(random.List(random.UInt64));
        if (Set()) m.PackedBool.AddRange(random.List(random.Bool));
        if (Set()) m.UnpackedUint32.AddRange(random.List(random.UInt32));
        if (Set()) m.Colors.AddRange(random.List(random.Color));
        if (Set()) m.Strings.AddRange(random.List(random.String));
        if (Set()) m.Blobs.AddRange(random.List(random.Bytes));
        if (Set()) m.ScalarList.AddRange(random.List(() => Scalars(random), max: 3));

        if (Set()) Fill(m.Labels, random, random.String, random.String, big: true);
        if (Set()) Fill(m.ByInt32, random, random.Int32, () => Scalars(random));
        if (Set()) Fill(m.ByInt64, random, random.Int64, random.Color);
        if (Set()) Fill(m.ByUint32, random, random.UInt32, random.Bytes);
        if (Set()) Fill(m.ByUint64, random, random.UInt64, random.Double, big: true);
        if (Set()) Fill(m.BySint32, random, random.Int32, random.Int64);
        if (Set()) Fill(m.BySint64, random, random.Int64, random.String);
        if (Set()) Fill(m.ByFixed32, random, random.UInt32, random.Bool);
        if (Set()) Fill(m.ByFixed64, random, random.UInt64, random.Float);
        if (Set()) Fill(m.BySfixed32, random, random.Int32, random.UInt64);
        if (Set()) Fill(m.BySfixed64, random, random.Int64, () => Inner(random, MaxChildDepth));
        if (Set()) Fill(m.ByBool, random, random.Bool, random.String);

        switch (random.Int(0, 6))
        {
            case 0: m.ChoiceText = random.String(); break;
            case 1: m.ChoiceNumber = random.Int64(); break;
            case 2: m.ChoiceMessage = Scalars(random); break;
            case 3: m.ChoiceColor = random.Color(); break;
            case 4: m.ChoiceTime = Timestamp(random); break;
        }

        if (Set()) m.Renamed = random.String();
        if (Set()) m.FieldWith2DigitsAndX = random.String();
        if (Set()) m.MaybeInt32 = random.Int32();
        if (Set()) m.MaybeString = random.String();
        if (Set()) m.MaybeColor = random.Color();
        if (Set()) m.MaybeDouble = random.Double();

        if (Set()) m.Timestamp = Timestamp(random);
        if (Set()) m.Duration = Duration(random);
        if (Set()) m.DoubleValue = random.Double();
        if (Set()) m.FloatValue = random.Float();
        if (Set()) m.Int64Value = random.Int64();
        if (Set()) m.Uint64Value = random.UInt64();
        if (Set()) m.Int32Value = random.Int32();
        if (Set()) m.Uint32Value = random.UInt32();
        if (Set()) m.BoolValue = random.Bool();
        if (Set()) m.StringValue = random.String();
        if (Set()) m.BytesValue = random.Bytes();
        if (Set()) m.Struct = Struct(random, 0);
        if (Set()) m.Value = Value(random, 0);
        if (Set()) m.ListValue = List(random, 0);
        if (Set()) m.FieldMask = FieldMask(random);
        if (Set()) m.Empty = new Empty();
        if (Set()) m.Any = Any(random, depth);

        if (Set()) m.Timestamps.AddRange(random.List(() => Timestamp(random)));
        if (Set()) m.Durations.AddRange(random.List(() => Duration(random)));
        if (Set()) m.Int32Values.AddRange(random.List(() => (int?)random.Int32()));
        if (Set()) m.Anys.AddRange(random.List(() => Any(random, depth), max: 3));
        if (Set()) m.Values.AddRange(random.List(() => Value(random, 0)));
        if (Set()) Fill(m.ValueMap, random, random.String, () => Value(random, 0));
        if (Set()) Fill(m.StringValueMap, random, random.String, random.String);
        if (Set()) m.FarAway = random.String();
        return m;
    }

    private static Scalars Scalars(Draw random) => new()
    {
        FDouble = random.Double(),
        FFloat = random.Float(),
        FInt32 = random.Int32(),
        FInt64 = random.Int64(),
        FUint32 = random.UInt32(),
        FUint64 = random.UInt64(),
        FSint32 = random.Int32(),
        FSint64 = random.Int64(),
        FFixed32 = random.UInt32(),
        FFixed64 = random.UInt64(),
        FSfixed32 = random.Int32(),
        FSfixed64 = random.Int64(),
        FBool = random.Bool(),
        FString = random.String(),
        FBytes = random.Bytes(),
        FColor = random.Color(),
    };

    private static Everything.Types.Inner Inner(Draw random, int depth)
    {
        var inner = new Everything.Types.Inner { Name = random.String() };
        inner.Numbers.AddRange(random.List(random.Int32));
        if (depth < MaxChildDepth && random.Chance(1, 6))
        {
            inner.Back = Everything(random, depth + 1);
        }
        return inner;
    }

    private static Timestamp Timestamp(Draw random) => new()
    {
        Seconds = random.Chance(1, 8)
            ? (random.Bool() ? -62135596800 : 253402300799)
            : random.Long(-62135596800, 253402300800),
        Nanos = random.Nanos(),
    };

    private static Duration Duration(Draw random)
    {
        var seconds = random.Chance(1, 8) ? (random.Bool() ? -315576000000 : 315576000000) : random.Long(-1_000_000, 1_000_000);
        var nanos = random.Nanos();
        if (seconds < 0 || (seconds == 0 && random.Bool()))
        {
            nanos = -nanos;
        }
        return new Duration { Seconds = seconds, Nanos = nanos };
    }

    private static FieldMask FieldMask(Draw random)
    {
        var mask = new FieldMask();
        // Not "x_y_z": single letters between underscores do not survive Google.Protobuf's own
        // JSON round trip ("xYZ" reads back as "x_yz").
        string[] words = ["a", "foo", "bar_baz", "xx_yy_zz", "deep.path_name", "q1"];
        mask.Paths.AddRange(random.List(() => random.Pick(words)));
        return mask;
    }

    private static Value Value(Draw random, int depth) => random.Int(0, depth < 3 ? 6 : 4) switch
    {
        0 => Google.Protobuf.WellKnownTypes.Value.ForNull(),
        // JSON numbers only: NaN and infinities have no Value form.
        1 => Google.Protobuf.WellKnownTypes.Value.ForNumber(random.FiniteDouble()),
        2 => Google.Protobuf.WellKnownTypes.Value.ForString(random.String()),
        3 => Google.Protobuf.WellKnownTypes.Value.ForBool(random.Bool()),
        4 => Google.Protobuf.WellKnownTypes.Value.ForStruct(Struct(random, depth + 1)),
        _ => Google.Protobuf.WellKnownTypes.Value.ForList(List(random, depth + 1).Values.ToArray()),
    };

    private static Struct Struct(Draw random, int depth)
    {
        var value = new Struct();
        // JsonFormatter refuses empty Struct keys.
        Fill(value.Fields, random, () => "k" + random.String(), () => Value(random, depth + 1));
        return value;
    }

    private static ListValue List(Draw random, int depth)
    {
        var list = new ListValue();
        list.Values.AddRange(random.List(() => Value(random, depth + 1)));
        return list;
    }

    private static Any Any(Draw random, int depth) => random.Int(0, 9) switch
    {
        0 => Google.Protobuf.WellKnownTypes.Any.Pack(Scalars(random)),
        1 => Google.Protobuf.WellKnownTypes.Any.Pack(Timestamp(random)),
        2 => Google.Protobuf.WellKnownTypes.Any.Pack(Duration(random)),
        3 => Google.Protobuf.WellKnownTypes.Any.Pack(new Int32Value { Value = random.Int32() }),
        4 => Google.Protobuf.WellKnownTypes.Any.Pack(Struct(random, 1)),
        5 => Google.Protobuf.WellKnownTypes.Any.Pack(new Empty()),
        6 => Google.Protobuf.WellKnownTypes.Any.Pack(Google.Protobuf.WellKnownTypes.Any.Pack(Scalars(random))),
        7 => Google.Protobuf.WellKnownTypes.Any.Pack(Value(random, 1)),
        _ => Google.Protobuf.WellKnownTypes.Any.Pack(depth < MaxChildDepth ? Everything(random, depth + 1) : new Everything()),
    };

    private static void Fill<TKey, TValue>(Google.Protobuf.Collections.MapField<TKey, TValue> map, Draw random, Func<TKey> key, Func<TValue> value, bool big = false)
        where TKey : notnull
    {
        // Mostly small; maps of scalars are big one time in sixteen.
        var count = big && random.Chance(1, 16) ? random.Int(50, 300) : random.Int(0, 5);
        for (var i = 0; i < count; i++)
        {
            map[key()] = value();
        }
    }

    /// <summary>Draws values from CsCheck's PCG, with edge values overrepresented.</summary>
    private sealed class Draw(PCG pcg)
    {
        private static readonly string[] Texts =
        [
            "", "a", "hello world", "quote \" backslash \\ slash / tab \t newline \n", "\u0000\u0001\u001f\u007f",
            "<script>&amp;</script>", "\u2028\u2029", "héllo wörld", "日本語のテキスト", "emoji 😀 𝄞", "\uFEFFbom", "'single'",
        ];

        public bool Chance(int numerator, int denominator) => pcg.Next((uint)denominator) < (uint)numerator;

        public int Int(int min, int maxExclusive) => min + (int)pcg.Next((uint)(maxExclusive - min));

        public long Long(long min, long maxExclusive) => min + (long)pcg.Next64((ulong)(maxExclusive - min));

        public bool Bool() => pcg.Next(2) == 1;

        public T Pick<T>(T[] values) => values[pcg.Next((uint)values.Length)];

        public List<T> List<T>(Func<T> item, int max = 6)
        {
            var count = Int(0, max + 1);
            var list = new List<T>(count);
            for (var i = 0; i < count; i++)
            {
                list.Add(item());
            }
            return list;
        }

        public int Int32() => Int(0, 8) switch
        {
            0 => Pick([int.MinValue, int.MaxValue, 0, -1, 1, 127, 128, -128]),
            1 => Int(-1000, 1000),
            _ => (int)pcg.Next(),
        };

        public long Int64() => Int(0, 8) switch
        {
            0 => Pick([long.MinValue, long.MaxValue, 0L, -1L, 1L, 9007199254740993L, -9007199254740993L]),
            1 => Int(-1000, 1000),
            _ => (long)pcg.Next64(),
        };

        public uint UInt32() => Int(0, 8) switch
        {
            0 => Pick([uint.MaxValue, 0u, 1u, 127u, 128u]),
            _ => pcg.Next(),
        };

        public ulong UInt64() => Int(0, 8) switch
        {
            0 => Pick([ulong.MaxValue, 0UL, 1UL, 18446744073709551614UL]),
            _ => pcg.Next64(),
        };

        public double Double() => Int(0, 6) switch
        {
            0 => Pick([0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue,
                double.Epsilon, -double.Epsilon, 1e21, 1e-7, 0.1, 1.0 / 3, 9007199254740993.0]),
            1 => Int(-100, 100) / 4.0,
            _ => Canonical(BitConverter.Int64BitsToDouble((long)pcg.Next64())),
        };

        // JSON has one NaN: a NaN payload cannot survive a trip through text.
        private static double Canonical(double value) => double.IsNaN(value) ? double.NaN : value;

        private static float Canonical(float value) => float.IsNaN(value) ? float.NaN : value;

        public double FiniteDouble()
        {
            var value = Double();
            return double.IsFinite(value) ? value : 0.5;
        }

        public float Float() => Int(0, 6) switch
        {
            0 => Pick([0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.MinValue,
                float.Epsilon, 16777217f, 0.1f, 1e-7f]),
            1 => Int(-100, 100) / 4f,
            _ => Canonical(BitConverter.UInt32BitsToSingle(pcg.Next())),
        };

        public Color Color() => Int(0, 8) switch
        {
            0 => (Color)Int(4, 1000), // unknown numbers are kept and written as numbers
            1 => Protos.Color.Negative,
            _ => (Color)Int(0, 4),
        };

        public string String()
        {
            if (Chance(1, 2))
            {
                return Pick(Texts);
            }
            var length = Int(0, 20);
            var chars = new System.Text.StringBuilder(length);
            for (var i = 0; i < length; i++)
            {
                switch (Int(0, 6))
                {
                    case 0:
                        chars.Append((char)Int(0, 0x20));
                        break;
                    case 1:
                        // Any BMP character that is not a surrogate (lone surrogates are not valid UTF-8).
                        var c = (char)Int(0x80, 0xFFFF);
                        chars.Append(char.IsSurrogate(c) ? 'x' : c);
                        break;
                    case 2:
                        chars.Append(char.ConvertFromUtf32(Int(0x10000, 0x10FFFF)));
                        break;
                    default:
                        chars.Append((char)Int(0x20, 0x7F));
                        break;
                }
            }
            return chars.ToString();
        }

        public ByteString Bytes()
        {
            var bytes = new byte[Chance(1, 4) ? 0 : Int(1, Chance(1, 10) ? 300 : 12)];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)pcg.Next(256);
            }
            return ByteString.CopyFrom(bytes);
        }

        public int Nanos() => Int(0, 4) switch
        {
            0 => 0,
            1 => Int(0, 1000) * 1_000_000,
            2 => Int(0, 1_000_000) * 1_000,
            _ => Int(0, 1_000_000_000),
        };
    }
}
