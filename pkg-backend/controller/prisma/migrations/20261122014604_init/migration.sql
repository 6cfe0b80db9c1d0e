-- CreateTable
CREATE TABLE "agents" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'foundry',
    "local_attributes" JSONB NOT NULL DEFAULT '{}',
    "remote_attributes" JSONB NOT NULL DEFAULT '{}',
    "system_attributes" JSONB NOT NULL DEFAULT '{}',
    "build_info" JSONB NOT NULL DEFAULT '{}',
    "supported_components" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "connected" BOOLEAN NOT NULL DEFAULT false,
    "controller_id" TEXT,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disconnected_at" TIMESTAMPTZ(3),

    CONSTRAINT "agents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipelines" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "matchers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pipelines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipeline_versions" (
    "id" UUID NOT NULL,
    "pipeline_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "valid" BOOLEAN NOT NULL,
    "diagnostics" JSONB NOT NULL DEFAULT '[]',
    "components" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "pipeline_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agent_pipelines" (
    "agent_id" TEXT NOT NULL,
    "pipeline_id" UUID NOT NULL,
    "desired_version" INTEGER,
    "desired_at" TIMESTAMPTZ(3),
    "applied_version" INTEGER,
    "applied_hash" TEXT,
    "reported_version" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "diagnostics" JSONB NOT NULL DEFAULT '[]',
    "status_at" TIMESTAMPTZ(3),
    "applied_at" TIMESTAMPTZ(3),

    CONSTRAINT "agent_pipelines_pkey" PRIMARY KEY ("agent_id","pipeline_id")
);

-- CreateTable
CREATE TABLE "rollouts" (
    "id" UUID NOT NULL,
    "pipeline_id" UUID NOT NULL,
    "from_version" INTEGER,
    "to_version" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "current_wave" INTEGER NOT NULL DEFAULT 0,
    "soak_seconds" INTEGER NOT NULL DEFAULT 30,
    "failure_threshold" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "paused_reason" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollouts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_waves" (
    "rollout_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "percent" DOUBLE PRECISION,
    "count" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "started_at" TIMESTAMPTZ(3),
    "soak_started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollout_waves_pkey" PRIMARY KEY ("rollout_id","index")
);

-- CreateTable
CREATE TABLE "rollout_agents" (
    "rollout_id" UUID NOT NULL,
    "agent_id" TEXT NOT NULL,
    "wave" INTEGER NOT NULL,

    CONSTRAINT "rollout_agents_pkey" PRIMARY KEY ("rollout_id","agent_id")
);

-- CreateTable
CREATE TABLE "component_health" (
    "agent_id" TEXT NOT NULL,
    "pipeline" TEXT NOT NULL,
    "component_id" TEXT NOT NULL,
    "health" TEXT NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "component_health_pkey" PRIMARY KEY ("agent_id","pipeline","component_id")
);

-- CreateTable
CREATE TABLE "metric_samples" (
    "id" BIGSERIAL NOT NULL,
    "agent_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "values" JSONB NOT NULL,

    CONSTRAINT "metric_samples_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "agents_last_seen_at_idx" ON "agents"("last_seen_at");

-- CreateIndex
CREATE UNIQUE INDEX "pipelines_name_key" ON "pipelines"("name");

-- CreateIndex
CREATE UNIQUE INDEX "pipeline_versions_pipeline_id_version_key" ON "pipeline_versions"("pipeline_id", "version");

-- CreateIndex
CREATE INDEX "agent_pipelines_pipeline_id_idx" ON "agent_pipelines"("pipeline_id");

-- CreateIndex
CREATE INDEX "rollouts_pipeline_id_created_at_idx" ON "rollouts"("pipeline_id", "created_at");

-- CreateIndex
CREATE INDEX "metric_samples_agent_id_at_idx" ON "metric_samples"("agent_id", "at");

-- CreateIndex
CREATE INDEX "metric_samples_at_idx" ON "metric_samples"("at");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens"("hash");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");

-- CreateIndex
CREATE INDEX "audit_events_target_type_target_id_idx" ON "audit_events"("target_type", "target_id");

-- AddForeignKey
ALTER TABLE "pipeline_versions" ADD CONSTRAINT "pipeline_versions_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_pipelines" ADD CONSTRAINT "agent_pipelines_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_pipelines" ADD CONSTRAINT "agent_pipelines_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_waves" ADD CONSTRAINT "rollout_waves_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_agents" ADD CONSTRAINT "rollout_agents_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "component_health" ADD CONSTRAINT "component_health_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "metric_samples" ADD CONSTRAINT "metric_samples_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
