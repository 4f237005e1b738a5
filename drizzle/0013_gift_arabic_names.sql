ALTER TABLE `gifts` ADD `name_ar` text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE `gifts` SET `name_ar` = CASE `id`
  WHEN 'gift_rose' THEN 'وردة'
  WHEN 'gift_coffee' THEN 'قهوة'
  WHEN 'gift_heart' THEN 'قلب'
  WHEN 'gift_star' THEN 'نجمة'
  WHEN 'gift_crown' THEN 'تاج'
  WHEN 'gift_rocket' THEN 'صاروخ'
  ELSE `name_ar` END;
