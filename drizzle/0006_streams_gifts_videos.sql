CREATE TABLE `gift_transactions` (
	`id` text PRIMARY KEY NOT NULL,
	`stream_id` text NOT NULL,
	`gift_id` text NOT NULL,
	`sender_id` text NOT NULL,
	`recipient_id` text NOT NULL,
	`quantity` integer NOT NULL,
	`coins` integer NOT NULL,
	`message` text,
	`idempotency_key` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`stream_id`) REFERENCES `streams`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`gift_id`) REFERENCES `gifts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sender_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recipient_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gift_transactions_idempotency_idx` ON `gift_transactions` (`sender_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `gift_transactions_stream_idx` ON `gift_transactions` (`stream_id`,`sender_id`);--> statement-breakpoint
CREATE INDEX `gift_transactions_recipient_idx` ON `gift_transactions` (`recipient_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `gifts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`icon` text NOT NULL,
	`coins` integer NOT NULL,
	`animation` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "gifts_coins_positive" CHECK("gifts"."coins" > 0)
);
--> statement-breakpoint
CREATE TABLE `stream_co_hosts` (
	`stream_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`stream_id`, `user_id`),
	FOREIGN KEY (`stream_id`) REFERENCES `streams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `stream_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`stream_id` text NOT NULL,
	`user_id` text NOT NULL,
	`message` text NOT NULL,
	`type` text NOT NULL,
	`client_msg_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`stream_id`) REFERENCES `streams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stream_messages_stream_idx` ON `stream_messages` (`stream_id`,`created_at`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `stream_messages_client_msg_idx` ON `stream_messages` (`stream_id`,`user_id`,`client_msg_id`);--> statement-breakpoint
CREATE INDEX `stream_messages_user_idx` ON `stream_messages` (`stream_id`,`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `stream_moderation` (
	`stream_id` text NOT NULL,
	`user_id` text NOT NULL,
	`muted` integer DEFAULT false NOT NULL,
	`banned` integer DEFAULT false NOT NULL,
	`moderator_id` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`stream_id`, `user_id`),
	FOREIGN KEY (`stream_id`) REFERENCES `streams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `stream_viewers` (
	`stream_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`present` integer NOT NULL,
	`joined_at` integer NOT NULL,
	PRIMARY KEY(`stream_id`, `user_id`),
	FOREIGN KEY (`stream_id`) REFERENCES `streams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `stream_viewers_present_idx` ON `stream_viewers` (`stream_id`,`present`);--> statement-breakpoint
CREATE TABLE `streams` (
	`id` text PRIMARY KEY NOT NULL,
	`host_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`type` text NOT NULL,
	`category` text,
	`is_private` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`slow_mode_sec` integer DEFAULT 0 NOT NULL,
	`viewer_count` integer DEFAULT 0 NOT NULL,
	`peak_viewers` integer DEFAULT 0 NOT NULL,
	`total_viewers` integer DEFAULT 0 NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	`gifts` integer DEFAULT 0 NOT NULL,
	`coins` integer DEFAULT 0 NOT NULL,
	`host_seen_at` integer NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`duration_sec` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`host_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `streams_one_live_per_host` ON `streams` (`host_id`) WHERE "streams"."status" = 'live';--> statement-breakpoint
CREATE INDEX `streams_host_started_idx` ON `streams` (`host_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `streams_status_started_idx` ON `streams` (`status`,`started_at`,`id`);--> statement-breakpoint
CREATE TABLE `video_likes` (
	`video_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`video_id`, `user_id`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `video_likes_recent_idx` ON `video_likes` (`video_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `video_views` (
	`id` text PRIMARY KEY NOT NULL,
	`video_id` text NOT NULL,
	`user_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `video_views_video_idx` ON `video_views` (`video_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `videos` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`category` text NOT NULL,
	`tags` text NOT NULL,
	`video_url` text NOT NULL,
	`file_name` text,
	`mime_type` text,
	`size_bytes` integer,
	`duration` integer NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`likes` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `videos_created_idx` ON `videos` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `videos_owner_idx` ON `videos` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `videos_category_idx` ON `videos` (`category`,`created_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `preferences` text;--> statement-breakpoint
INSERT INTO `gifts` (`id`, `name`, `icon`, `coins`, `animation`, `sort_order`, `created_at`) VALUES
  ('gift_rose', 'Rose', '🌹', 1, 'float', 1, 0),
  ('gift_coffee', 'Coffee', '☕', 5, 'bounce', 2, 0),
  ('gift_heart', 'Heart', '❤️', 10, 'pulse', 3, 0),
  ('gift_star', 'Star', '⭐', 50, 'sparkle', 4, 0),
  ('gift_crown', 'Crown', '👑', 100, 'shine', 5, 0),
  ('gift_rocket', 'Rocket', '🚀', 500, 'launch', 6, 0);
