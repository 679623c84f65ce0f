# Overdue: multi-stage build, non-root runtime.
#   docker build -t overdue .
#   docker run -p 8080:8080 -e OVERDUE_DATABASE_URL=postgres://… overdue            # API + scheduler
#   docker run -e OVERDUE_DATABASE_URL=postgres://… overdue worker                    # more workers
FROM swift:6.1-bookworm AS build
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
RUN swift build -c release --product overdue --static-swift-stdlib \
 && install -D "$(swift build -c release --show-bin-path)/overdue" /out/overdue

FROM debian:bookworm-slim
# tzdata: contact windows are evaluated in IANA time zones; ca-certificates: provider APIs over TLS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata libcurl4 libxml2 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /var/lib/overdue overdue
COPY --from=build /out/overdue /usr/local/bin/overdue
USER 10001:10001
WORKDIR /var/lib/overdue
ENV OVERDUE_HOST=0.0.0.0 \
    OVERDUE_PORT=8080 \
    OVERDUE_DATABASE_URL=sqlite:///var/lib/overdue/overdue.sqlite
EXPOSE 8080
ENTRYPOINT ["overdue"]
CMD ["serve"]
