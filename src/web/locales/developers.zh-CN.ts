// 开发者门户（/developers）的中文文案。
import type { developersEn } from './developers.en.js';

export const developersZhCN: Record<keyof typeof developersEn, string> = {
  'developers.title': '开发者门户',
  'developers.lead': '互联网服务接入“使用网号登录”所需的一切：接入指南、声明说明、网号格式、沙盒与可运行的示例。',
  'developers.start': '从接入指南开始',
  'developers.list': '全部文档',
  'developers.discovery': '发现文档（机器可读的配置）',
  'developers.untranslated': '（英文）',
  'developers.doc.title': '{title} · 开发者文档',
  'developers.breadcrumb': '当前位置',
  'developers.fallback': '本页尚无中文译文，以下为英文原文。',
  'developers.translation-note': '本页为译文；如与英文原文不一致，以英文原文为准。',
  'developers.original': '阅读英文原文',
};
