using Google.Protobuf;
using Google.Protobuf.Reflection;
using Sluice.Api;
using Sluice.Plugins.Grpc;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Plugins.Grpc;

/// <summary>Descriptor sources and their validation, reported in the upstream's status.</summary>
public sealed class GrpcTranslationTests
{
    private static string Upstream(string properties) => $$"""
        name: books
        type: static
        spec: { hosts: [{ addr: 10.0.0.5, port: 50051 }] }
        service_info: { type: gRPC, properties: {{properties}} }
        """;

    /// <summary>A descriptor set built by hand, as protoc would write it.</summary>
    private static FileDescriptorProto File(string name, string package, string[] services, params string[] imports)
    {
        var file = new FileDescriptorProto { Name = name, Package = package, Syntax = "proto3" };
        file.Dependency.AddRange(imports);
        file.MessageType.Add(new DescriptorProto { Name = "Req", Field = { new FieldDescriptorProto { Name = "id", Number = 1, Type = FieldDescriptorProto.Types.Type.Int64, JsonName = "id" } } });
        foreach (var service in services)
        {
            file.Service.Add(new ServiceDescriptorProto
            {
                Name = service,
                Method = { new MethodDescriptorProto { Name = "Get", InputType = $".{package}.Req", OutputType = $".{package}.Req" } },
            });
        }
        return file;
    }

    private static Status Judge(string properties, params FileDescriptorProto[] files) => Judge(properties, new FileDescriptorSet { File = { files } }.ToByteArray());

    private static Status Judge(string properties, byte[] descriptors)
    {
        var snapshot = Snapshot(Upstream(properties)) with
        {
            Files = new Dictionary<string, ReadOnlyMemory<byte>> { ["books.descriptors"] = descriptors },
        };
        return Translate(snapshot).StatusOf(ConfigKind.Upstream, "books");
    }

    [Theory]
    [InlineData("{ descriptors_file_ref: books.descriptors }", "service_info.properties.grpc_service_names: required")]
    [InlineData("{ grpc_service_names: [Bookstore] }", "service_info.properties.descriptors_file_ref: required")]
    [InlineData("{ grpc_service_names: [Bookstore], descriptors_file_ref: nope }", "descriptors file not found for file ref 'nope'")]
    [InlineData("{ grpc_service_names: [Bookstore], descriptors_file_ref: books.descriptors, request_headers: [\"grpc-timeout\"] }", "request_headers[0]: 'grpc-timeout': grpc-* headers are the protocol's own")]
    [InlineData("{ grpc_service_names: [Bookstore], descriptors_file_ref: books.descriptors, response_headers: [x-ok, \"x-*-bad\"] }", "response_headers[1]: 'x-*-bad' is not a header name")]
    [InlineData("{ grpc_service_names: [Bookstore], descriptors_file_ref: books.descriptors, max_request_bytes: 0 }", "service_info.properties.max_request_bytes")]
    public void Bad_properties_reject_the_upstream_naming_the_field(string properties, string expected)
    {
        var status = Judge(properties, File("b.proto", "shop", ["Bookstore"]));
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains(expected, status.Reason);
    }

    [Fact]
    public void An_unparsable_file_is_reported()
    {
        var status = Judge("{ grpc_service_names: [Bookstore], descriptors_file_ref: books.descriptors }", [0xff, 0xff, 0xff, 0x01]);
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("file 'books.descriptors' is not a serialized FileDescriptorSet", status.Reason);
    }

    [Fact]
    public void A_missing_import_names_the_file_that_needs_it()
    {
        var status = Judge("{ grpc_service_names: [Bookstore], descriptors_file_ref: books.descriptors }",
            File("b.proto", "shop", ["Bookstore"], "shop/common.proto"));
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("'b.proto' imports 'shop/common.proto', which file 'books.descriptors' does not contain", status.Reason);
    }

    [Fact]
    public void An_unknown_service_lists_the_ones_defined()
    {
        var status = Judge("{ grpc_service_names: [Library], descriptors_file_ref: books.descriptors }", File("b.proto", "shop", ["Bookstore", "Till"]));
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("grpc_service_names[0]: unknown service 'Library': file 'books.descriptors' defines shop.Bookstore, shop.Till", status.Reason);
    }

    [Fact]
    public void A_short_service_name_two_packages_define_must_be_written_in_full()
    {
        var status = Judge("{ grpc_service_names: [Bookstore], descriptors_file_ref: books.descriptors }",
            File("a.proto", "east", ["Bookstore"]), File("b.proto", "west", ["Bookstore"]));
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("service name 'Bookstore' is ambiguous: east.Bookstore, west.Bookstore", status.Reason);
    }

    [Fact]
    public void Well_known_imports_missing_from_the_set_come_from_the_runtime()
    {
        var status = Judge("{ grpc_service_names: [Bookstore], descriptors_file_ref: books.descriptors }",
            File("b.proto", "shop", ["Bookstore"], "google/protobuf/empty.proto", "google/api/annotations.proto"));
        Assert.Equal(StatusState.Accepted, status.State);
    }

    [Fact]
    public void A_method_name_two_services_define_is_ambiguous_as_a_function_name()
    {
        var snapshot = Snapshot(Upstream("{ grpc_service_names: [Bookstore, Till], descriptors_file_ref: books.descriptors }") + """

            functions: [{ name: Get }, { name: Till.Get }, { name: lookup, spec: { service: shop.Bookstore, method: Get, input_type: shop.Req } }]
            """) with
        {
            Files = new Dictionary<string, ReadOnlyMemory<byte>> { ["books.descriptors"] = new FileDescriptorSet { File = { File("b.proto", "shop", ["Bookstore", "Till"]) } }.ToByteArray() },
        };
        var result = Translate(snapshot);
        var status = result.StatusOf(ConfigKind.Upstream, "books");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("functions[0] (Get): name: method name 'Get' is defined by several services (Bookstore.Get, Till.Get)", status.Reason);
        Assert.DoesNotContain("functions[1]", status.Reason);
        Assert.DoesNotContain("functions[2]", status.Reason);
    }

    [Fact]
    public void Functions_map_to_methods_and_the_cluster_speaks_http2()
    {
        var snapshot = Snapshot(Upstream("{ grpc_service_names: [shop.Bookstore], descriptors_file_ref: books.descriptors, request_headers: [X-User, \"x-trace-*\"], response_headers: [X-Served-By] }") + """

            functions: [{ name: lookup, spec: { service: shop.Bookstore, method: Get } }]
            """) with
        {
            Files = new Dictionary<string, ReadOnlyMemory<byte>> { ["books.descriptors"] = new FileDescriptorSet { File = { File("b.proto", "shop", ["Bookstore"]) } }.ToByteArray() },
        };
        var result = Translate(snapshot);
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.Upstream, "books").State);
        var cluster = Assert.Single(result.Plan.Clusters);
        Assert.True(cluster.UseHttp2);
        var spec = Assert.IsType<GrpcTranscoderSpec>(cluster.Invoker);
        Assert.Equal("/shop.Bookstore/Get", spec.Functions["lookup"].Method.Path);
        Assert.Equal("/shop.Bookstore/Get", spec.Functions["Get"].Method.Path);
        Assert.Equal("/shop.Bookstore/Get", spec.Functions["Bookstore.Get"].Method.Path);
        Assert.Equal("/shop.Bookstore/Get", spec.Functions["shop.Bookstore.Get"].Method.Path);
        Assert.True(spec.Options.AllowsRequestHeader("x-user"));
        Assert.True(spec.Options.AllowsRequestHeader("x-trace-id"));
        Assert.False(spec.Options.AllowsRequestHeader("authorization"));
        Assert.True(spec.Options.AllowsResponseHeader("x-served-by"));
        Assert.False(spec.Options.AllowsResponseHeader("x-user"));
        // The same input compiles to an equal spec: the live transcoder survives reloads.
        Assert.Equal(cluster, Translate(snapshot).Plan.Clusters[0]);
    }
}
