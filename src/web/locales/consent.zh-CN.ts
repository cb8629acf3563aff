// 授权页面（可选项、身份信息提供）的简体中文文案（键与 consent.en.ts 一致）。
import type { consentEn } from './consent.en.js';

export const consentZhCN: Record<keyof typeof consentEn, string> = {
  'consent.optional': '可选——取消勾选即不提供',
  'consent.required': '登录所必需',
  'consent.purpose': '{client} 的用途：{purpose}',
  'consent.item.age': '您是否已满 14、16、18 周岁（是或否）——不含出生日期',
  'consent.item.verified': "您的真实姓名是否已对照身份证件核验，以及核验强度——不含姓名本身",
  'consent.item.offline_access': '在您离开后继续访问，直至您撤销授权',
  'consent.item.identity': '您的姓名和身份证件——将在下一页单独询问',
  'release.title': '是否向 {client} 提供您的身份信息？',
  'release.lead': '法律要求 {client} 获取您的身份信息。请核对将要发送的具体内容。',
  'release.basis': '法律依据：{basis}',
  'release.values': '以下信息将发送给 {client}',
  'release.name': '姓名',
  'release.document_type': '证件类型',
  'release.document_number': '证件号码',
  'release.once': '本次同意仅对本次登录有效，下次将再次询问。',
  'release.allow': '向 {client} 提供我的身份信息',
  'release.deny': '不提供',
};
