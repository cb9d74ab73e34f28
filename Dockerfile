# The gateway image: `docker build -t sluice .` at the repository root.
# Stage 1 publishes with the SDK; the final stage is the ASP.NET runtime image with the
# published app only (no SDK, no sources). Runs as a non-root user, and as any UID (OpenShift):
# nothing in the image is written at run time (mount an emptyDir on /tmp with a read-only root).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# tests/Sluice.IntegrationTests/Kubernetes/DockerfileTests runs this exact command, so it cannot rot.
RUN dotnet publish src/Sluice.Cli/Sluice.Cli.csproj -c Release -o /app -p:UseAppHost=true --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app .
# The runtime image's unprivileged user; OpenShift replaces it with an arbitrary UID (group 0).
USER $APP_UID
EXPOSE 8080 8443 19000
ENTRYPOINT ["/app/sluice"]
CMD ["run", "--store", "kubernetes"]
